//! Lists of requests: the requester's own, what waits for my approval, the IT desk with its
//! filters, and the notifications inbox.

use super::Text;
use super::i18n::Texts;
use super::layout::page;
use super::listing_filters::{desk_filters_kept, my_filters_kept};
use super::requests::status_badge;
use super::row_html::{RowContext, RowsTable};
use super::text::TrackingLink;
use super::{PageCtx, Reserve, Time, format_time};
use crate::domain::request::{Request, RequestId};
use crate::domain::{FieldErrors, Locale, ServiceId};
use crate::ops::{DeskFilter, DeskOptions, Page, RequestRow, StatusFilter};
use maud::{Markup, html};
use std::sync::Arc;

/// Room for a row of `table` in a page (about 480 bytes in French).
const ROW_BYTES: usize = 640;
/// Room for a listing's filters besides one option per service or person (about 2,300 bytes
/// on the desk in French), and for an option.
const FILTERS_BYTES: usize = 3072;
const OPTION_BYTES: usize = 64;

/// Room for a listing's body: its filters and its rows, so that it grows once.
fn listing_bytes(rows: usize, options: usize) -> Reserve {
    Reserve(FILTERS_BYTES + options * OPTION_BYTES + rows * ROW_BYTES)
}

/// The columns of a table of requests, in order; the requester's only on the desk.
fn columns(t: &Texts, with_requester: bool) -> impl Iterator<Item = &'static str> {
    [
        Some(t.number),
        Some(t.service),
        Some(t.status),
        with_requester.then_some(t.requester),
        Some(t.assignee),
        Some(t.submitted_on),
        Some(t.due),
    ]
    .into_iter()
    .flatten()
}

/// The stylesheet that names each cell of a table of requests on a narrow screen, where each
/// row becomes a card (app.css), in every language: served once and cached (`/assets/
/// labels.css`) rather than written as a `data-label` on every cell of every row, which was a
/// quarter of a listing's bytes.
pub fn phone_labels_css() -> String {
    let mut css = String::from(
        "/* Generated from the texts of each language. */\n@media (max-width: 767px) {\n",
    );
    for locale in Locale::ALL {
        for (table, with_requester) in [("listing", false), ("listing.with-requester", true)] {
            for (i, label) in columns(super::i18n::texts(locale), with_requester).enumerate() {
                let label = label.replace('\\', "\\\\").replace('"', "\\\"");
                css.push_str(&format!(
                    "  html[lang=\"{}\"] table.{table} td:nth-child({})::before {{ content: \"{label}\"; }}\n",
                    locale.code(),
                    i + 1
                ));
            }
        }
    }
    css.push_str("}\n");
    css
}

fn table(ctx: &PageCtx, rows: &[RequestRow], show_requester: bool) -> RowsTable {
    let context = RowContext {
        locale: ctx.locale,
        show_requester,
        staff: ctx.viewer.as_ref().is_some_and(|v| v.role.is_staff()),
    };
    let written = ctx.rows.rows(rows, context, |row| {
        table_row(ctx, row, show_requester).into_string()
    });
    let head = html! {
        tr { @for name in columns(ctx.t, show_requester) { th { (Text(name)) } } }
    };
    RowsTable {
        head,
        written,
        show_requester,
    }
}

/// One row of `table`: what `RowHtml` keeps.
fn table_row(ctx: &PageCtx, row: &RequestRow, show_requester: bool) -> Markup {
    html! {
        tr {
            td { (TrackingLink(row.id)) }
            td { (Text(&row.service_name)) }
            td { (status_badge(ctx, row.status)) }
            @if show_requester { td { (Text(&row.requester)) } }
            td { (Text(row.assignee.as_deref().unwrap_or("—"))) }
            td { (Time(row.created_at, ctx.locale, &ctx.tz)) }
            // One element: on a phone the date and its badges sit together
            // at the right of the card, not the date alone in the middle.
            td { span {
                @if row.has_sla {
                    @if let Some(due) = row.sla_due {
                        (due_time(ctx, due, row.overdue))
                    }
                } @else if let Some(due) = row.due_at {
                    (due_time(ctx, due, row.late))
                } @else if !row.paused { "—" }
                (super::sla::row_badges(ctx, row))
            } }
        }
    }
}

/// A row's date, marked when it has passed (a bare date otherwise, not an empty class).
fn due_time<'a>(ctx: &'a PageCtx, due: crate::domain::Timestamp, passed: bool) -> DueTime<'a> {
    DueTime(Time(due, ctx.locale, &ctx.tz), passed)
}

/// `due_time`, written straight into the page.
struct DueTime<'a>(Time<'a>, bool);

impl maud::Render for DueTime<'_> {
    fn render_to(&self, out: &mut String) {
        if self.1 {
            out.push_str("<span class=\"late\">");
            self.0.render_to(out);
            out.push_str("</span>");
        } else {
            self.0.render_to(out);
        }
    }
}

/// The filters of "my requests", and the services to choose from.
pub struct MyList<'a> {
    pub filter: &'a DeskFilter,
    pub services: &'a Arc<[(ServiceId, String)]>,
}

/// "My requests" filtered: one list, a page at a time.
pub fn my_requests_filtered(ctx: &PageCtx, list: &MyList<'_>, found: &Page<RequestRow>) -> Markup {
    let t = ctx.t;
    let f = list.filter;
    let query = desk_query(f, false);
    let body = html! {
        (listing_bytes(found.items.len(), list.services.len()))
        h1 { (Text(t.my_requests_title)) }
        (my_filters_kept(ctx, list))
        @if found.items.is_empty() {
            p.muted { (Text(t.no_requests_match)) }
        } @else {
            (table(ctx, &found.items, false))
        }
        nav.pager {
            @if f.cursor.is_some() { a href={ "/my/requests?" (query) } { (Text(t.first_page)) } }
            @if let Some(next) = found.next {
                a href={ "/my/requests?" (query) "&before=" (RequestId(next).number()) } { (Text(t.next_page)) " →" }
            }
        }
    };
    page(ctx, t.my_requests_title, body)
}

pub fn my_requests(
    ctx: &PageCtx,
    list: &MyList<'_>,
    open: &Page<RequestRow>,
    history: &Page<RequestRow>,
    paged: bool,
) -> Markup {
    let t = ctx.t;
    let body = html! {
        (listing_bytes(open.items.len() + history.items.len(), list.services.len()))
        h1 { (Text(t.my_requests_title)) }
        (my_filters_kept(ctx, list))
        section {
            h2 { (Text(t.open_requests)) }
            @if open.items.is_empty() {
                p.muted { (Text(t.no_open_requests)) " " a href="/" { (Text(t.new_request_hint)) } }
            } @else {
                (table(ctx, &open.items, false))
            }
            @if open.next.is_some() {
                nav.pager { a href="/my/requests?status=open" { (Text(t.life.all_open)) " →" } }
            }
        }
        section {
            h2 { (Text(t.history)) }
            @if history.items.is_empty() {
                p.muted { (Text(t.no_history)) }
            } @else {
                (table(ctx, &history.items, false))
            }
            nav.pager {
                @if paged { a href="/my/requests" { (Text(t.first_page)) } }
                @if let Some(next) = history.next {
                    a href={ "/my/requests?before=" (RequestId(next).number()) } { (Text(t.next_page)) " →" }
                }
            }
        }
    };
    page(ctx, t.my_requests_title, body)
}

/// What waits for my decision, each with its answers and the decision form. `refused` is the
/// request whose decision was just refused, with why.
pub fn approvals(
    ctx: &PageCtx,
    items: &[(RequestRow, Request)],
    refused: Option<(RequestId, &FieldErrors)>,
    flash: Option<&str>,
) -> Markup {
    let t = ctx.t;
    let none = FieldErrors::new();
    let body = html! {
        h1 { (Text(t.approvals_title)) }
        (super::layout::flash(flash))
        @if items.is_empty() {
            p.muted { (Text(t.no_approvals)) }
        } @else {
            ul.approval-list {
                @for (row, request) in items {
                    @let errors = refused.filter(|(id, _)| *id == row.id).map_or(&none, |(_, e)| e);
                    li {
                        article {
                            header {
                                (TrackingLink(row.id))
                                " · " strong { (row.service_name) }
                                br;
                                small.muted { (Text(t.requester)) (Text(t.colon)) (row.requester) " · " (format_time(row.created_at, ctx.locale, &ctx.tz)) }
                            }
                            (super::requests::details(ctx, request))
                            hr;
                            (super::requests::decision_form(ctx, &row.id.number(), Some("/approvals"), errors))
                        }
                    }
                }
            }
        }
    };
    page(ctx, t.approvals_title, body)
}

/// The query string of a desk filter, without the cursor, for links.
pub fn desk_query(filter: &DeskFilter, mine: bool) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair(
        "status",
        match filter.status {
            StatusFilter::Open => "open",
            StatusFilter::All => "all",
            StatusFilter::Is(s) => s.code(),
        },
    );
    if let Some(service) = filter.service {
        q.append_pair("service", &service.to_string());
    }
    match filter.assignee {
        Some(_) if mine => {
            q.append_pair("assignee", "me");
        }
        Some(None) => {
            q.append_pair("assignee", "none");
        }
        Some(Some(id)) => {
            q.append_pair("assignee", &id.to_string());
        }
        None => {}
    }
    if let Some(requester) = filter.requester {
        q.append_pair("requester", &requester.to_string());
    }
    if filter.urgent {
        q.append_pair("sort", "urgent");
    } else if !filter.newest_first {
        q.append_pair("sort", "oldest");
    }
    if let Some(due) = filter.due {
        q.append_pair("due", due.code());
    }
    if let Some(text) = &filter.text {
        q.append_pair("q", text);
    }
    q.finish()
}

pub fn desk(
    ctx: &PageCtx,
    filter: &DeskFilter,
    mine: bool,
    choices: &DeskOptions,
    page_of: &Page<RequestRow>,
) -> Markup {
    let t = ctx.t;
    let options = choices.services.len() + 2 * choices.people.users.len();
    let body = html! {
        (listing_bytes(page_of.items.len(), options))
        h1 { (Text(t.desk_title)) }
        (desk_filters_kept(ctx, filter, mine, choices))
        @if page_of.items.is_empty() {
            p.muted { (Text(t.no_requests_match)) }
        } @else {
            (table(ctx, &page_of.items, true))
        }
        nav.pager {
            @if !page_of.items.is_empty() {
                a.export href={ "/desk/export.csv?" (desk_query(filter, mine)) } download { (Text(t.life.export)) }
            }
            @if filter.cursor.is_some() { a href={ "/desk?" (desk_query(filter, mine)) } { (Text(t.first_page)) } }
            @if let Some(next) = page_of.next {
                a href={ "/desk?" (desk_query(filter, mine)) "&before=" (RequestId(next).number()) } { (Text(t.next_page)) " →" }
            }
        }
    };
    page(ctx, t.desk_title, body)
}
