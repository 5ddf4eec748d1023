//! Administration of SLA policies and calendars: one overview page (policies, calendars, the
//! instance's default calendar), a policy form with its alert rows, and a calendar form with
//! working hours per day and holidays as lines of text.

use super::PageCtx;
use super::admin::admin_tabs;
use super::catalog_admin::textarea;
use super::forms::{Input, checkbox, csrf, error_summary, select};
use super::layout::{flash, page};
use super::sla::target;
use crate::domain::sla::{
    CalendarDef, Clock, MAX_THRESHOLDS, Recipient, SlaPolicy, TargetUnit, WEEK, format_minutes,
};
use crate::domain::{FieldErrors, Service};
use maud::{Markup, html};

/// What the overview shows.
pub struct Overview<'a> {
    pub policies: &'a [SlaPolicy],
    pub calendars: &'a [CalendarDef],
    pub default_calendar: Option<u64>,
    pub services: &'a [Service],
    pub notice: Option<&'a str>,
}

fn calendar_name<'a>(ctx: &PageCtx, calendars: &'a [CalendarDef], id: Option<u64>) -> &'a str {
    match id.and_then(|id| calendars.iter().find(|c| c.id == id)) {
        Some(c) => &c.name,
        None => ctx.t.sla.instance_default,
    }
}

/// The services under a policy, by name.
pub fn services_of(services: &[Service], policy: u64) -> Vec<&str> {
    services
        .iter()
        .filter(|s| s.sla_policy_id == Some(policy))
        .map(|s| s.name.as_str())
        .collect()
}

/// "Mon–Fri 09:00–18:00" as one line per distinct day: "Monday 09:00–12:00, 14:00–18:00".
fn hours_summary(ctx: &PageCtx, calendar: &CalendarDef) -> Markup {
    let s = ctx.t.sla;
    if calendar.calendar.is_always() {
        return html! { (s.always) };
    }
    // Runs of consecutive days with the same ranges: "Monday–Friday 09:00–18:00".
    let days = WEEK.map(|d| day_ranges(calendar, d));
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in 0..days.len() {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i && days[*end] == days[i] => *end = i,
            _ => runs.push((i, i)),
        }
    }
    html! {
        @for (first, last) in runs {
            @if !days[first].is_empty() {
                span.nowrap {
                    (s.weekdays[first])
                    @if last > first { "–" (s.weekdays[last]) }
                    " " (days[first].replace('-', "–"))
                }
                br;
            }
        }
    }
}

/// A day's ranges as the form writes them: "09:00-12:00, 14:00-18:00".
pub fn day_ranges(calendar: &CalendarDef, day: jiff::civil::Weekday) -> String {
    calendar
        .calendar
        .hours
        .iter()
        .filter(|r| r.day == day)
        .map(|r| format!("{}-{}", format_minutes(r.from), format_minutes(r.to)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "response: 50 %, 100 %" then "resolution: 75 %, 100 %", one line each.
fn threshold_summary(ctx: &PageCtx, policy: &SlaPolicy) -> Markup {
    let s = ctx.t.sla;
    html! {
        @for clock in [Clock::Response, Clock::Resolution] {
            @let percents: Vec<String> = policy.thresholds.iter()
                .filter(|t| t.target == clock)
                .map(|t| format!("{} %", t.percent))
                .collect();
            @if !percents.is_empty() { span.nowrap { (s.clock(clock)) (ctx.t.colon) (percents.join(", ")) } br; }
        }
    }
}

pub fn overview(ctx: &PageCtx, o: &Overview<'_>) -> Markup {
    let (t, s) = (ctx.t, ctx.t.sla);
    let dash = "—".to_owned();
    let mut defaults = vec![(String::new(), s.always.to_owned())];
    defaults.extend(
        o.calendars
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone())),
    );
    let default = o
        .default_calendar
        .map(|d| d.to_string())
        .unwrap_or_default();
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (s.policies) }
            a role="button" href="/admin/sla/policies/new" { (s.new_policy) }
        }
        (flash(o.notice))
        p.muted { (s.intro) }
        div.overflow-auto {
            table.striped.cards {
                thead { tr {
                    th { (t.name) } th { (s.calendar) } th { (s.response_target) }
                    th { (s.resolution_target) } th { (s.thresholds) } th { (s.services) }
                } }
                tbody {
                    @for p in o.policies {
                        @let used = services_of(o.services, p.id);
                        tr {
                            td data-label=(t.name) { a href={ "/admin/sla/policies/" (p.id) } { (p.name) } }
                            td data-label=(s.calendar) { (calendar_name(ctx, o.calendars, p.calendar_id)) }
                            td data-label=(s.response_target) { (p.response.map(|r| target(ctx, r)).unwrap_or_else(|| dash.clone())) }
                            td data-label=(s.resolution_target) { (p.resolution.map(|r| target(ctx, r)).unwrap_or_else(|| dash.clone())) }
                            td data-label=(s.thresholds) { (threshold_summary(ctx, p)) }
                            td data-label=(s.services) {
                                @if used.is_empty() { span.muted { (s.unused) } } @else { (used.join(", ")) }
                            }
                        }
                    }
                }
            }
        }
        div.title-row {
            h2 { (s.calendars) }
            a role="button" .secondary href="/admin/sla/calendars/new" { (s.new_calendar) }
        }
        div.overflow-auto {
            table.striped.cards {
                thead { tr {
                    th { (t.name) } th { (s.time_zone) } th { (s.working_hours) } th { (s.holidays_count) }
                } }
                tbody {
                    @for c in o.calendars {
                        tr {
                            td data-label=(t.name) { a href={ "/admin/sla/calendars/" (c.id) } { (c.name) } }
                            td data-label=(s.time_zone) { (c.zone_name()) }
                            td data-label=(s.working_hours) { (hours_summary(ctx, c)) }
                            td data-label=(s.holidays_count) { (c.calendar.holidays.len()) }
                        }
                    }
                }
            }
        }
        form method="post" action="/admin/sla/default-calendar" {
            (csrf(ctx))
            (select(ctx, &FieldErrors::new(), "calendar_id", s.default_calendar, &defaults, &default))
            small.block { (s.default_calendar_help) }
            button type="submit" .secondary { (s.save) }
        }
    };
    page(ctx, s.policies, body)
}

/// One alert row of the policy form, as text.
#[derive(Debug, Clone, Default)]
pub struct ThresholdValues {
    pub target: String,
    pub percent: String,
    pub notify: Vec<Recipient>,
}

/// The values a policy form shows: the stored policy, or what was just submitted.
#[derive(Debug, Clone, Default)]
pub struct PolicyFormValues {
    pub name: String,
    pub calendar_id: String,
    pub response_value: String,
    pub response_unit: String,
    pub resolution_value: String,
    pub resolution_unit: String,
    pub thresholds: Vec<ThresholdValues>,
}

impl PolicyFormValues {
    pub fn of(p: &SlaPolicy) -> Self {
        let value = |t: Option<crate::domain::sla::Target>| {
            t.map(|t| (t.value.to_string(), t.unit.code().to_owned()))
                .unwrap_or_else(|| (String::new(), "hours".to_owned()))
        };
        let (response_value, response_unit) = value(p.response);
        let (resolution_value, resolution_unit) = value(p.resolution);
        PolicyFormValues {
            name: p.name.clone(),
            calendar_id: p.calendar_id.map(|c| c.to_string()).unwrap_or_default(),
            response_value,
            response_unit,
            resolution_value,
            resolution_unit,
            thresholds: p
                .thresholds
                .iter()
                .map(|t| ThresholdValues {
                    target: t.target.code().to_owned(),
                    percent: t.percent.to_string(),
                    notify: t.notify.clone(),
                })
                .collect(),
        }
    }
}

pub struct PolicyForm<'a> {
    pub policy: Option<&'a SlaPolicy>,
    pub values: &'a PolicyFormValues,
    pub errors: &'a FieldErrors,
    pub calendars: &'a [CalendarDef],
    /// The services under the policy: while there are some, it cannot be deleted.
    pub used_by: Vec<&'a str>,
}

fn field_error(ctx: &PageCtx, errors: &FieldErrors, name: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(name) {
            small.field-error id={ (name) "-error" } { (super::i18n::field_message(ctx.locale, message)) }
        }
    }
}

fn delete_or_users(ctx: &PageCtx, action: &str, used_by: &[&str]) -> Markup {
    let s = ctx.t.sla;
    html! {
        @if used_by.is_empty() {
            form.inline method="post" action=(action) {
                (csrf(ctx))
                button.small.secondary.outline type="submit" { (s.delete) }
            }
        } @else {
            p.muted { (s.used_by) (ctx.t.colon) (used_by.join(", ")) }
        }
    }
}

pub fn policy_form(ctx: &PageCtx, form: &PolicyForm<'_>) -> Markup {
    let (t, s) = (ctx.t, ctx.t.sla);
    let v = form.values;
    let title = if form.policy.is_some() {
        s.edit_policy
    } else {
        s.new_policy
    };
    let action = form.policy.map_or_else(
        || "/admin/sla/policies".to_owned(),
        |p| format!("/admin/sla/policies/{}", p.id),
    );
    let mut calendars = vec![(String::new(), s.instance_default.to_owned())];
    calendars.extend(
        form.calendars
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone())),
    );
    let units: Vec<(String, String)> = [TargetUnit::Minutes, TargetUnit::Hours, TargetUnit::Days]
        .into_iter()
        .map(|u| (u.code().to_owned(), s.unit(u).to_owned()))
        .collect();
    let clocks: Vec<(String, String)> = [Clock::Resolution, Clock::Response]
        .into_iter()
        .map(|c| (c.code().to_owned(), s.clock(c).to_owned()))
        .collect();
    let mut rows = v.thresholds.clone();
    let blank = (rows.len() + 2).clamp(3, MAX_THRESHOLDS);
    rows.resize_with(blank.max(rows.len()), ThresholdValues::default);
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (title) }
            @if let Some(p) = form.policy {
                (delete_or_users(ctx, &format!("/admin/sla/policies/{}/delete", p.id), &form.used_by))
            }
        }
        (error_summary(ctx, form.errors))
        form method="post" action=(action) {
            (csrf(ctx))
            (Input::text("name", t.name, &v.name).required().render(ctx, form.errors))
            (select(ctx, form.errors, "calendar_id", s.calendar, &calendars, &v.calendar_id))
            div.grid {
                (Input::text("response_target", s.response_target, &v.response_value).kind("number").render(ctx, form.errors))
                (select(ctx, form.errors, "response_unit", s.unit, &units, &v.response_unit))
            }
            div.grid {
                (Input::text("resolution_target", s.resolution_target, &v.resolution_value).kind("number").render(ctx, form.errors))
                (select(ctx, form.errors, "resolution_unit", s.unit, &units, &v.resolution_unit))
            }
            fieldset aria-describedby="thresholds-help" {
                legend { (s.thresholds) }
                small id="thresholds-help" { (s.thresholds_help) }
                (field_error(ctx, form.errors, "thresholds"))
                @for (i, row) in rows.iter().enumerate() {
                    div.threshold-row {
                        div.grid {
                            (select(ctx, &FieldErrors::new(), &format!("t{i}_target"), s.target, &clocks, &row.target))
                            (Input::text(&format!("t{i}_percent"), s.percent, &row.percent).kind("number").render(ctx, &FieldErrors::new()))
                        }
                        div.notify {
                            span.muted { (s.notify) (ctx.t.colon) }
                            @for r in Recipient::ALL {
                                (checkbox(ctx, &FieldErrors::new(), &format!("t{i}_{}", r.code()), s.recipient(r), row.notify.contains(&r)))
                            }
                        }
                    }
                }
            }
            div.actions {
                button type="submit" { (if form.policy.is_some() { t.save } else { t.create }) }
                a.secondary role="button" href="/admin/sla" { (t.cancel) }
            }
        }
    };
    page(ctx, title, body)
}

/// The values a calendar form shows.
#[derive(Debug, Clone, Default)]
pub struct CalendarFormValues {
    pub name: String,
    pub time_zone: String,
    /// Monday first: "09:00-12:00, 14:00-18:00".
    pub days: [String; 7],
    pub yearly: String,
    pub other: String,
}

impl CalendarFormValues {
    pub fn of(c: &CalendarDef) -> Self {
        let holidays = |yearly: bool| {
            c.calendar
                .holidays
                .iter()
                .filter(|h| h.yearly == yearly)
                .map(|h| {
                    let date = if yearly {
                        format!("{:02}-{:02}", h.date.month(), h.date.day())
                    } else {
                        h.date.to_string()
                    };
                    format!("{date} {}", h.name)
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        CalendarFormValues {
            name: c.name.clone(),
            time_zone: c.zone_name().to_owned(),
            days: WEEK.map(|d| day_ranges(c, d)),
            yearly: holidays(true),
            other: holidays(false),
        }
    }
}

pub struct CalendarForm<'a> {
    pub calendar: Option<&'a CalendarDef>,
    pub values: &'a CalendarFormValues,
    pub errors: &'a FieldErrors,
    /// The policies counting in it: while there are some (or it is the default), it stays.
    pub used_by: Vec<&'a str>,
}

pub fn calendar_form(ctx: &PageCtx, form: &CalendarForm<'_>) -> Markup {
    let (t, s) = (ctx.t, ctx.t.sla);
    let v = form.values;
    let title = if form.calendar.is_some() {
        s.edit_calendar
    } else {
        s.new_calendar
    };
    let action = form.calendar.map_or_else(
        || "/admin/sla/calendars".to_owned(),
        |c| format!("/admin/sla/calendars/{}", c.id),
    );
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (title) }
            @if let Some(c) = form.calendar {
                (delete_or_users(ctx, &format!("/admin/sla/calendars/{}/delete", c.id), &form.used_by))
            }
        }
        (error_summary(ctx, form.errors))
        form method="post" action=(action) {
            (csrf(ctx))
            (Input::text("name", t.name, &v.name).required().render(ctx, form.errors))
            (Input::text("time_zone", s.time_zone, &v.time_zone).required().help("Europe/Paris, America/New_York…").render(ctx, form.errors))
            fieldset aria-describedby="hours-help" {
                legend { (s.working_hours) }
                small id="hours-help" { (s.hours_help) }
                (field_error(ctx, form.errors, "hours"))
                div.week-hours {
                    @for (i, day) in WEEK.into_iter().enumerate() {
                        (Input::text(&format!("hours_{}", crate::domain::sla::weekday_code(day)), s.weekdays[i], &v.days[i]).render(ctx, &FieldErrors::new()))
                    }
                }
            }
            (field_error(ctx, form.errors, "holidays"))
            (textarea(ctx, form.errors, "yearly", s.yearly_holidays, &v.yearly, Some(s.yearly_help)))
            (textarea(ctx, form.errors, "other", s.other_holidays, &v.other, Some(s.other_help)))
            div.actions {
                button type="submit" { (if form.calendar.is_some() { t.save } else { t.create }) }
                a.secondary role="button" href="/admin/sla" { (t.cancel) }
            }
        }
    };
    page(ctx, title, body)
}
