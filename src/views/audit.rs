//! The audit trail page: filters (what, who, from, to), then each change newest first with
//! the fields it changed, before and after.

use super::admin::admin_tabs;
use super::layout::page;
use super::{PageCtx, format_time};
use crate::domain::audit::{AuditEntry, AuditKind};
use crate::domain::{User, UserId};
use maud::{Markup, html};

/// What the page shows: the filters as typed, the entries, the people, and the next page.
pub struct AuditView<'a> {
    pub kind: Option<AuditKind>,
    pub by: Option<UserId>,
    pub from: &'a str,
    pub to: &'a str,
    pub entries: &'a [AuditEntry],
    pub users: &'a [User],
    /// The query string of the next page, if any.
    pub next: Option<String>,
}

fn who(ctx: &PageCtx, users: &[User], id: UserId) -> String {
    if id == crate::ops::COMMAND_LINE {
        return ctx.t.audit.command_line.to_owned();
    }
    users
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| format!("#{}", id.0), |u| u.display_name.clone())
}

pub fn audit(ctx: &PageCtx, view: &AuditView<'_>) -> Markup {
    let a = ctx.t.audit;
    let body = html! {
        (admin_tabs(ctx))
        h1 { (a.title) }
        p.muted { (a.intro) }
        form.desk-filters method="get" action="/admin/audit" {
            div.grid {
                label { (a.what)
                    select name="kind" {
                        option value="" selected[view.kind.is_none()] { (a.any_kind) }
                        @for kind in AuditKind::ALL {
                            option value=(kind.code()) selected[view.kind == Some(kind)] { (a.kind(kind)) }
                        }
                    }
                }
                label { (a.who)
                    select name="user" {
                        option value="" selected[view.by.is_none()] { (a.anyone) }
                        @for user in view.users.iter().filter(|u| u.role == crate::domain::Role::Admin) {
                            option value=(user.id.0) selected[view.by == Some(user.id)] { (user.display_name) }
                        }
                    }
                }
                label { (a.from) input type="date" name="from" value=(view.from); }
                label { (a.to) input type="date" name="to" value=(view.to); }
            }
            button type="submit" { (ctx.t.filter) }
        }
        @if view.entries.is_empty() {
            p.muted { (a.none) }
        } @else {
            div.table-scroll {
                table.requests.audit {
                    thead { tr { th { (a.when) } th { (a.who) } th { (a.what) } th { (a.action) } th { (a.changes) } } }
                    tbody {
                        @for e in view.entries {
                            tr {
                                td data-label=(a.when) { (format_time(e.at, ctx.locale, &ctx.tz)) }
                                td data-label=(a.who) { (who(ctx, view.users, e.by)) }
                                td data-label=(a.what) { (a.kind(e.kind)) " " strong { (e.target_name) } @if e.target > 0 { " " small.muted { "#" (e.target) } } }
                                td data-label=(a.action) { (a.action(&e.action)) }
                                td data-label=(a.changes) {
                                    ul.changes {
                                        @for (field, old, new) in e.changes() {
                                            li {
                                                code { (field) } (ctx.t.colon)
                                                @if let Some(old) = old { del { (old) } }
                                                @if old.is_some() && new.is_some() { " → " }
                                                @if let Some(new) = new { ins { (new) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = &view.next {
                nav.pager { a href={ "/admin/audit?" (next) } { (ctx.t.next_page) " →" } }
            }
        }
    };
    page(ctx, a.title, body)
}
