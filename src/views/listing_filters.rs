//! The filter forms of the listings of requests: "my requests" and the IT desk, each kept as
//! written by the server while what it shows has not changed (`filter_html.rs`).

use super::PageCtx;
use super::Text;
use super::filter_html::FilterKey;
use super::request_lists::MyList;
use crate::domain::ServiceId;
use crate::domain::request::Status;
use crate::ops::{DeskFilter, DeskOptions, DueFilter, StatusFilter};
use maud::{Markup, PreEscaped, html};
use std::sync::Arc;

/// The status to list: the open ones, all, or one.
fn status_field(ctx: &PageCtx, filter: &DeskFilter) -> Markup {
    let t = ctx.t;
    html! {
        label { (Text(t.status))
            select name="status" {
                option value="open" selected[filter.status == StatusFilter::Open] { (Text(t.open_statuses)) }
                option value="all" selected[filter.status == StatusFilter::All] { (Text(t.all_statuses)) }
                @for status in Status::ALL {
                    option value=(status.code()) selected[filter.status == StatusFilter::Is(status)] { (Text(t.status(status))) }
                }
            }
        }
    }
}

/// The service to list the requests of, among `services` (by name).
fn service_field(ctx: &PageCtx, filter: &DeskFilter, services: &[(ServiceId, String)]) -> Markup {
    let t = ctx.t;
    html! {
        label { (Text(t.service))
            select name="service" {
                option value="" selected[filter.service.is_none()] { (Text(t.any)) }
                @for (id, name) in services {
                    option value=(id.0) selected[filter.service == Some(*id)] { (Text(name)) }
                }
            }
        }
    }
}

/// The words to look for in requests: number, service, requester, answers.
fn words_field(ctx: &PageCtx, filter: &DeskFilter) -> Markup {
    let l = ctx.t.life;
    html! {
        label { (Text(l.words))
            input type="search" name="q" value=[filter.text.as_deref()] placeholder=(Text(l.words_hint)) maxlength="200";
        }
    }
}

/// `my_filters` as the server keeps it written (`filter_html.rs`).
pub(super) fn my_filters_kept(ctx: &PageCtx, list: &MyList<'_>) -> PreEscaped<Arc<str>> {
    let key = FilterKey::new("my", ctx.locale, list.services, None, list.filter, false);
    let write = || my_filters(ctx, list).into_string();
    PreEscaped(ctx.filters.form(key, write))
}

fn my_filters(ctx: &PageCtx, list: &MyList<'_>) -> Markup {
    let t = ctx.t;
    let f = list.filter;
    html! {
        form.desk-filters method="get" action="/my/requests" {
            (words_field(ctx, f))
            div.grid {
                (status_field(ctx, f))
                (service_field(ctx, f, list.services))
            }
            button type="submit" { (Text(t.filter)) }
        }
    }
}

fn due_text(ctx: &PageCtx, due: DueFilter) -> &'static str {
    match due {
        DueFilter::Soon => ctx.t.sla.due_soon,
        DueFilter::Overdue => ctx.t.sla.due_overdue,
        DueFilter::Late => ctx.t.sla.due_late,
    }
}

/// `desk_filters` as the server keeps it written (`filter_html.rs`).
pub(super) fn desk_filters_kept(
    ctx: &PageCtx,
    filter: &DeskFilter,
    mine: bool,
    choices: &DeskOptions,
) -> PreEscaped<Arc<str>> {
    let key = FilterKey::new(
        "desk",
        ctx.locale,
        &choices.services,
        Some(&choices.people),
        filter,
        mine,
    );
    let write = || desk_filters(ctx, filter, mine, choices).into_string();
    PreEscaped(ctx.filters.form(key, write))
}

/// The desk's filters: words, status, service, assignee, requester, order, deadline.
fn desk_filters(ctx: &PageCtx, filter: &DeskFilter, mine: bool, choices: &DeskOptions) -> Markup {
    let t = ctx.t;
    let assignee = match filter.assignee {
        Some(_) if mine => "me".to_owned(),
        Some(None) => "none".to_owned(),
        Some(Some(id)) => id.to_string(),
        None => String::new(),
    };
    html! {
        form.desk-filters method="get" action="/desk" {
            (words_field(ctx, filter))
            div.grid {
                (status_field(ctx, filter))
                (service_field(ctx, filter, &choices.services))
                label { (Text(t.assignee))
                    select name="assignee" {
                        option value="" selected[assignee.is_empty()] { (Text(t.any)) }
                        option value="me" selected[assignee == "me"] { (Text(t.mine)) }
                        option value="none" selected[assignee == "none"] { (Text(t.unassigned)) }
                        @for user in choices.people.staff() {
                            option value=(user.id) selected[!mine && filter.assignee == Some(Some(user.id))] { (Text(&user.display_name)) }
                        }
                    }
                }
                label { (Text(t.requester))
                    select name="requester" {
                        option value="" { (Text(t.any)) }
                        @for user in &choices.people.users {
                            option value=(user.id) selected[filter.requester == Some(user.id)] { (Text(&user.display_name)) }
                        }
                    }
                }
                label { (Text(t.sort))
                    select name="sort" {
                        option value="newest" selected[filter.newest_first && !filter.urgent] { (Text(t.newest_first)) }
                        option value="oldest" selected[!filter.newest_first && !filter.urgent] { (Text(t.oldest_first)) }
                        option value="urgent" selected[filter.urgent] { (Text(t.sla.sort_urgent)) }
                    }
                }
                label { (Text(t.sla.due_label))
                    select name="due" {
                        option value="" selected[filter.due.is_none()] { (Text(t.sla.due_any)) }
                        @for due in [DueFilter::Soon, DueFilter::Overdue, DueFilter::Late] {
                            option value=(due.code()) selected[filter.due == Some(due)] { (Text(due_text(ctx, due))) }
                        }
                    }
                }
            }
            button type="submit" { (Text(t.filter)) }
        }
    }
}
