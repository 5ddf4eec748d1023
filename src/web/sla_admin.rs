//! Administration pages of SLA policies and calendars. Every handler takes `AdminPage`; the
//! forms are read into the same `PolicyInput` and `CalendarInput` the JSON API checks.

use super::admin_forms::{Deletion, Done, PageResult, delete_after_confirming, number, status_for};
use super::error::Fail;
use super::extract::{AdminPage, FormData};
use super::portal::parse_id;
use super::state::AppState;
use crate::domain::FieldErrors;
use crate::domain::sla::{
    CalendarDef, CalendarInput, Clock, MAX_THRESHOLDS, PolicyInput, Recipient, Target, TargetUnit,
    Threshold, WEEK, weekday_code,
};
use crate::ops::Error;
use crate::views::sla_admin::{
    self as views, CalendarForm, CalendarFormValues, Overview, PolicyForm, PolicyFormValues,
    ThresholdValues, services_of,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sla", get(overview))
        .route("/admin/sla/default-calendar", post(default_calendar))
        .route("/admin/sla/{kind}", post(create))
        .route("/admin/sla/{kind}/new", get(new))
        .route("/admin/sla/{kind}/{id}", get(edit).post(update))
        .route("/admin/sla/{kind}/{id}/delete", post(delete))
}

/// What an address under `/admin/sla/` is about.
#[derive(Clone, Copy)]
enum Kind {
    Policy,
    Calendar,
}

fn kind_of(raw: &str) -> Result<Kind, Error> {
    match raw {
        "policies" => Ok(Kind::Policy),
        "calendars" => Ok(Kind::Calendar),
        _ => Err(Error::NotFound),
    }
}

/// The blank form of a new policy or calendar.
async fn new(
    State(state): State<AppState>,
    page: AdminPage,
    Path(kind): Path<String>,
) -> PageResult {
    match kind_of(&kind).map_err(page.signed.ctx.fail())? {
        Kind::Policy => render_policy(&state, &page, None, None, &FieldErrors::new()),
        Kind::Calendar => render_calendar(&state, &page, None, None, &FieldErrors::new()),
    }
}

async fn edit(
    State(state): State<AppState>,
    page: AdminPage,
    Path((kind, id)): Path<(String, String)>,
) -> PageResult {
    let fail = page.signed.ctx.fail();
    let (kind, id) = (
        kind_of(&kind).map_err(&fail)?,
        parse_id(&id).map_err(&fail)?,
    );
    match kind {
        Kind::Policy => render_policy(&state, &page, Some(id), None, &FieldErrors::new()),
        Kind::Calendar => render_calendar(&state, &page, Some(id), None, &FieldErrors::new()),
    }
}

async fn save(
    state: AppState,
    page: AdminPage,
    kind: Kind,
    id: Option<u64>,
    form: FormData,
) -> PageResult {
    match kind {
        Kind::Policy => save_policy(state, page, id, form).await,
        Kind::Calendar => save_calendar(state, page, id, form).await,
    }
}

async fn create(
    State(state): State<AppState>,
    page: AdminPage,
    Path(kind): Path<String>,
    form: FormData,
) -> PageResult {
    let kind = kind_of(&kind).map_err(page.signed.ctx.fail())?;
    save(state, page, kind, None, form).await
}

async fn update(
    State(state): State<AppState>,
    page: AdminPage,
    Path((kind, id)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let parsed = kind_of(&kind).and_then(|kind| Ok((kind, parse_id(&id)?)));
    let (kind, id) = parsed.map_err(page.signed.ctx.fail())?;
    save(state, page, kind, Some(id), form).await
}

/// Asked first; a policy in use or a calendar in use (or the default) is refused with 409.
async fn delete(
    State(state): State<AppState>,
    page: AdminPage,
    Path((kind_raw, id)): Path<(String, String)>,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let fail = ctx.fail();
    let (kind, id) = (
        kind_of(&kind_raw).map_err(&fail)?,
        parse_id(&id).map_err(&fail)?,
    );
    let back = format!("/admin/sla/{kind_raw}/{id}");
    let action = format!("{back}/delete");
    let question = match kind {
        Kind::Policy => ctx.t.sla.confirm_delete_policy,
        Kind::Calendar => ctx.t.sla.confirm_delete_calendar,
    };
    let deletion = Deletion {
        question,
        action: &action,
        back: &back,
        done: "/admin/sla?done=deleted",
    };
    let ops = &state.ops;
    match kind {
        Kind::Policy => {
            let subject = || ops.sla_policy(id).map(|p| p.name);
            let delete = ops.delete_sla_policy(page.admin, id);
            delete_after_confirming(ctx, &form, deletion, subject, delete).await
        }
        Kind::Calendar => {
            let subject = || ops.calendar(id).map(|c| c.name);
            let delete = ops.delete_calendar(page.admin, id);
            delete_after_confirming(ctx, &form, deletion, subject, delete).await
        }
    }
}

async fn overview(
    State(state): State<AppState>,
    page: AdminPage,
    Query(done): Query<Done>,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let policies = state.ops.sla_policies().map_err(ctx.fail())?;
    let (calendars, default_calendar) = state.ops.calendars().map_err(ctx.fail())?;
    let services = state.ops.all_services(page.admin).map_err(ctx.fail())?;
    let notice = match done.done.as_deref() {
        Some("deleted") => Some(ctx.t.sla.deleted),
        Some(_) => Some(ctx.t.sla.saved),
        None => None,
    };
    let o = Overview {
        policies: &policies,
        calendars: &calendars,
        default_calendar,
        services: &services,
        notice,
    };
    Ok(views::overview(ctx, &o).into_response())
}

async fn default_calendar(
    State(state): State<AppState>,
    page: AdminPage,
    form: FormData,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let mut errors = FieldErrors::new();
    let id = number(&form, "calendar_id", &mut errors);
    if !errors.is_empty() {
        return Err(ctx.fail()(Error::Invalid(errors)));
    }
    state
        .ops
        .set_default_calendar(page.admin, id)
        .await
        .map_err(ctx.fail())?;
    Ok(Redirect::to("/admin/sla?done=saved").into_response())
}

// ---- policies ----

/// A target from its value and unit fields; an empty value is no target.
fn target_of(
    form: &FormData,
    key: &str,
    unit_key: &str,
    errors: &mut FieldErrors,
) -> Option<Target> {
    let value = number::<u32>(form, key, errors)?;
    let unit = TargetUnit::parse(&form.text(unit_key)).unwrap_or(TargetUnit::Hours);
    Some(Target { value, unit })
}

/// The alert rows that have a percentage; the others are left blank on purpose.
fn threshold_rows(form: &FormData) -> Vec<ThresholdValues> {
    (0..MAX_THRESHOLDS)
        .map(|i| ThresholdValues {
            target: form.text(&format!("t{i}_target")),
            percent: form.text(&format!("t{i}_percent")).trim().to_owned(),
            notify: Recipient::ALL
                .into_iter()
                .filter(|r| form.checked(&format!("t{i}_{}", r.code())))
                .collect(),
        })
        .filter(|row| !row.percent.is_empty())
        .collect()
}

fn policy_input(form: &FormData, errors: &mut FieldErrors) -> PolicyInput {
    let mut thresholds = Vec::new();
    for row in threshold_rows(form) {
        match (Clock::parse(&row.target), row.percent.parse::<u16>()) {
            (Some(target), Ok(percent)) => thresholds.push(Threshold {
                target,
                percent,
                notify: row.notify,
            }),
            _ => errors.add("thresholds", "a percentage must be between 1 and 1000"),
        }
    }
    PolicyInput {
        name: form.text("name"),
        calendar_id: number(form, "calendar_id", errors),
        response: target_of(form, "response_target", "response_unit", errors),
        resolution: target_of(form, "resolution_target", "resolution_unit", errors),
        thresholds,
    }
}

fn policy_values(form: &FormData) -> PolicyFormValues {
    PolicyFormValues {
        name: form.text("name"),
        calendar_id: form.text("calendar_id"),
        response_value: form.text("response_target"),
        response_unit: form.text("response_unit"),
        resolution_value: form.text("resolution_target"),
        resolution_unit: form.text("resolution_unit"),
        thresholds: threshold_rows(form),
    }
}

fn render_policy(
    state: &AppState,
    page: &AdminPage,
    id: Option<u64>,
    values: Option<&PolicyFormValues>,
    errors: &FieldErrors,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let policy = id
        .map(|id| state.ops.sla_policy(id))
        .transpose()
        .map_err(ctx.fail())?;
    let (calendars, _) = state.ops.calendars().map_err(ctx.fail())?;
    let services = state.ops.all_services(page.admin).map_err(ctx.fail())?;
    let stored = policy.as_ref().map(PolicyFormValues::of);
    let fresh = PolicyFormValues {
        response_unit: "hours".into(),
        resolution_unit: "hours".into(),
        ..PolicyFormValues::default()
    };
    let form = PolicyForm {
        policy: policy.as_ref(),
        values: values.or(stored.as_ref()).unwrap_or(&fresh),
        errors,
        calendars: &calendars,
        used_by: id.map(|id| services_of(&services, id)).unwrap_or_default(),
    };
    Ok((status_for(errors), views::policy_form(ctx, &form)).into_response())
}

async fn save_policy(
    state: AppState,
    page: AdminPage,
    id: Option<u64>,
    form: FormData,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let input = policy_input(&form, &mut errors);
    let result = if errors.is_empty() {
        state.ops.save_sla_policy(page.admin, id, input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/sla?done=saved").into_response()),
        Err(Error::Invalid(errors)) => {
            render_policy(&state, &page, id, Some(&policy_values(&form)), &errors)
        }
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}

// ---- calendars ----

/// "09:00-12:00, 14:00-18:00" into ranges; a piece without a dash is passed on whole, so that
/// the check names it.
fn ranges(day: &str, text: &str) -> Vec<(String, String, String)> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (from, to) = piece.split_once(['-', '–']).unwrap_or((piece, ""));
            (day.to_owned(), from.trim().to_owned(), to.trim().to_owned())
        })
        .collect()
}

/// Holiday lines, "date name"; yearly ones are written month-day and kept in a leap year so
/// that 02-29 is allowed.
fn holiday_lines(text: &str, yearly: bool) -> Vec<(String, String, bool)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let date = if yearly {
                format!("2000-{date}")
            } else {
                date.to_owned()
            };
            (date, name.trim().to_owned(), yearly)
        })
        .collect()
}

fn calendar_values(form: &FormData) -> CalendarFormValues {
    CalendarFormValues {
        name: form.text("name"),
        time_zone: form.text("time_zone"),
        days: WEEK.map(|d| form.text(&format!("hours_{}", weekday_code(d)))),
        yearly: form.text("yearly"),
        other: form.text("other"),
    }
}

fn calendar_input(v: &CalendarFormValues) -> CalendarInput {
    let mut holidays = holiday_lines(&v.yearly, true);
    holidays.extend(holiday_lines(&v.other, false));
    CalendarInput {
        name: v.name.clone(),
        time_zone: v.time_zone.clone(),
        hours: WEEK
            .into_iter()
            .zip(&v.days)
            .flat_map(|(d, text)| ranges(weekday_code(d), text))
            .collect(),
        holidays,
    }
}

fn render_calendar(
    state: &AppState,
    page: &AdminPage,
    id: Option<u64>,
    values: Option<&CalendarFormValues>,
    errors: &FieldErrors,
) -> PageResult {
    let ctx = &page.signed.ctx;
    let calendar: Option<CalendarDef> = id
        .map(|id| state.ops.calendar(id))
        .transpose()
        .map_err(ctx.fail())?;
    let (_, default) = state.ops.calendars().map_err(ctx.fail())?;
    let policies = state.ops.sla_policies().map_err(ctx.fail())?;
    let mut used_by: Vec<&str> = policies
        .iter()
        .filter(|p| id.is_some() && p.calendar_id == id)
        .map(|p| p.name.as_str())
        .collect();
    if id.is_some() && default == id {
        used_by.insert(0, ctx.t.sla.default_calendar);
    }
    let stored = calendar.as_ref().map(CalendarFormValues::of);
    let fresh = CalendarFormValues {
        time_zone: state
            .ops
            .time_zone()
            .iana_name()
            .unwrap_or("UTC")
            .to_owned(),
        ..CalendarFormValues::default()
    };
    let form = CalendarForm {
        calendar: calendar.as_ref(),
        values: values.or(stored.as_ref()).unwrap_or(&fresh),
        errors,
        used_by,
    };
    Ok((status_for(errors), views::calendar_form(ctx, &form)).into_response())
}

async fn save_calendar(
    state: AppState,
    page: AdminPage,
    id: Option<u64>,
    form: FormData,
) -> PageResult {
    let values = calendar_values(&form);
    match state
        .ops
        .save_calendar(page.admin, id, calendar_input(&values))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/sla?done=saved").into_response()),
        Err(Error::Invalid(errors)) => render_calendar(&state, &page, id, Some(&values), &errors),
        Err(error) => Err(page.signed.ctx.fail()(error)),
    }
}
