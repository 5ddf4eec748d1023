//! The inbox: a user's notifications, newest first, the unread ones marked.

use super::layout::page;
use super::{Number, PageCtx, Reserve, Text, Time};
use crate::domain::notification::Notification;
use crate::ops::Page;
use maud::{Markup, html};

pub fn notifications(ctx: &PageCtx, page_of: &Page<(Notification, String)>, paged: bool) -> Markup {
    let t = ctx.t;
    let any_unread = page_of.items.iter().any(|(n, _)| !n.read);
    let body = html! {
        h1 { (Text(t.notifications_title)) }
        @if any_unread {
            form method="post" action="/notifications/read-all" {
                input type="hidden" name="_csrf" value=(ctx.csrf);
                button.outline.small type="submit" { (Text(t.mark_all_read)) }
            }
        }
        @if page_of.items.is_empty() {
            p.muted { (Text(t.no_notifications)) }
        } @else {
            ul.inbox {
                (Reserve(page_of.items.len() * 400))
                @for (n, service) in &page_of.items {
                    // A link: opening the request marks its notifications read.
                    li.unread[!n.read] {
                        a href={ "/requests/" (Number(n.request)) } {
                            @if !n.read { span.visually-hidden { (Text(t.unread_one)) (Text(t.colon)) } }
                            strong { (Text(t.notice(n.kind))) }
                            " · " span.tracking { (Number(n.request)) } " " (Text(service))
                        }
                        br;
                        small.muted { (Time(n.at, ctx.locale, &ctx.tz)) }
                    }
                }
            }
        }
        nav.pager {
            @if paged { a href="/notifications" { (Text(t.first_page)) } }
            @if let Some(next) = page_of.next {
                a href={ "/notifications?before=" (next) } { (Text(t.next_page)) " →" }
            }
        }
    };
    page(ctx, t.notifications_title, body)
}
