//! What people see of SLA policies on requests and services: each deadline explained in words,
//! the badges lists show (in words, never by colour alone), the timeline entries of waiting,
//! escalations and reminders, and a service's promise.

use super::{PageCtx, format_time, lines};
use crate::domain::Locale;
use crate::domain::request::{Event, EventKind, Status};
use crate::domain::sla::{Due, SlaPolicy, Target};
use crate::ops::{RequestPage, RequestRow};
use maud::{Markup, html};

/// "2 h 30 min", "1 j 3 h" / "1 d 3 h".
pub fn duration(seconds: i64, locale: Locale) -> String {
    let minutes = (seconds.max(0) + 59) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let day = if locale == Locale::Fr { "j" } else { "d" };
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} {day}"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if mins > 0 && days == 0 {
        parts.push(format!("{mins} min"));
    }
    if parts.is_empty() {
        parts.push("0 min".into());
    }
    parts.join(" ")
}

/// "4 working hours".
pub fn target(ctx: &PageCtx, t: Target) -> String {
    ctx.t.sla.amount(t.value, t.unit)
}

/// "Response within 4 working hours, resolution within 3 working days."
pub fn promise(ctx: &PageCtx, policy: &SlaPolicy) -> String {
    let s = ctx.t.sla;
    let mut parts = Vec::new();
    if let Some(r) = policy.response {
        parts.push(format!("{} {}", s.answer_within, target(ctx, r)));
    }
    if let Some(r) = policy.resolution {
        let within = if parts.is_empty() {
            let mut w = s.done_within.to_owned();
            if let Some(first) = w.get(..1) {
                w = first.to_uppercase() + &w[1..];
            }
            w
        } else {
            s.done_within.to_owned()
        };
        parts.push(format!("{within} {}", target(ctx, r)));
    }
    parts.join(", ")
}

/// One deadline in words: "due 14/12/2026 14:00 — 8 working hours from 13/12/2026 15:00,
/// paused 2 h".
fn deadline(ctx: &PageCtx, due: &Due) -> Markup {
    let s = ctx.t.sla;
    let when = |at| format_time(at, ctx.locale, &ctx.tz);
    html! {
        @match due.at {
            Some(at) => { strong { (when(at)) } }
            None => { em { (s.unreachable) } }
        }
        " — " (target(ctx, due.target)) " " (s.from) " " (when(due.start))
        @if due.paused_seconds > 0 { ", " (s.paused_for) " " (duration(due.paused_seconds, ctx.locale)) }
        @if due.met_at.is_some() {
            " " @if due.breached { span.badge.late-badge { (s.breached) } } @else { span.badge.ok { (s.met) } }
        } @else if due.breached {
            " " span.badge.late-badge { (s.badge_overdue) }
        }
    }
}

/// The SLA facts of a request page: the policy, each deadline explained, a pause.
pub fn facts(ctx: &PageCtx, view: &RequestPage) -> Markup {
    let s = ctx.t.sla;
    let Some(sla) = &view.sla else {
        return html! {};
    };
    html! {
        dt { (s.title) } dd { (sla.policy.name) " · " (promise(ctx, &sla.policy)) }
        @if sla.state.response.is_none() && sla.state.resolution.is_none() {
            dt { (s.due_label) } dd { (s.starts_after_approval) }
        }
        @if let Some(due) = &sla.state.response {
            dt { (s.response_due) } dd { (deadline(ctx, due)) }
        }
        @if let Some(due) = &sla.state.resolution {
            dt { (s.resolution_due) } dd { (deadline(ctx, due)) }
        }
        @if sla.state.paused {
            dt { (s.badge_paused) } dd { (s.paused_now) }
        }
    }
}

/// Above the timeline while the IT team waits for an answer: to the requester, what to do.
pub fn waiting_banner(ctx: &PageCtx, view: &RequestPage) -> Markup {
    let s = ctx.t.sla;
    let r = &view.request;
    if r.status != Status::WaitingForRequester {
        return html! {};
    }
    let since = view
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Waiting { .. }))
        .map(|e| e.at);
    html! {
        @if view.viewer_is_staff {
            p.notice role="status" {
                (s.waiting_banner_staff)
                @if let Some(at) = since { " " (format_time(at, ctx.locale, &ctx.tz)) }
                "."
            }
        } @else {
            p.notice.warning role="status" { strong { (s.waiting_for_you) } (ctx.t.colon) (s.waiting_banner) }
        }
    }
}

/// The badges of a list row: waiting for you, paused, overdue, due soon, breached, late.
pub fn row_badges<'a>(ctx: &PageCtx, row: &'a RequestRow) -> RowBadges<'a> {
    RowBadges {
        row,
        t: ctx.t,
        staff: ctx.viewer.as_ref().is_some_and(|v| v.role.is_staff()),
    }
}

/// A row's badges, written straight into the page (a listing has them on every row):
/// `<span class="row-badges">` holding each badge, followed by a space where another follows.
pub struct RowBadges<'a> {
    row: &'a RequestRow,
    t: &'static super::i18n::Texts,
    staff: bool,
}

impl maud::Render for RowBadges<'_> {
    fn render_to(&self, out: &mut String) {
        let (row, s) = (self.row, self.t.sla);
        let badge =
            |out: &mut String, class, text| super::text::push_span(out, ["badge ", class], text);
        let any = row.status == Status::WaitingForRequester
            || row.paused
            || row.overdue
            || row.due_soon
            || row.breached
            || row.late;
        if !any {
            return;
        }
        out.push_str("<span class=\"row-badges\">");
        if row.status == Status::WaitingForRequester && !self.staff {
            badge(out, "late-badge", s.waiting_for_you);
            out.push(' ');
        } else if row.paused {
            badge(out, "ok", s.badge_paused);
            out.push(' ');
        }
        if row.overdue {
            badge(out, "late-badge", s.badge_overdue);
        } else if row.due_soon {
            badge(out, "soon", s.badge_soon);
        } else if row.breached {
            badge(out, "late-badge", s.badge_breached);
        }
        if row.late {
            badge(out, "late-badge", self.t.late);
        }
        out.push_str("</span>");
    }
}

/// The timeline entries SLA adds; `None` for the others.
pub fn event(ctx: &PageCtx, who: &str, event: &Event) -> Option<Markup> {
    let s = ctx.t.sla;
    let markup = match &event.kind {
        EventKind::Waiting { body } => html! {
            strong { (who) } " " (s.ev_waiting)
            blockquote { (lines(body)) }
        },
        EventKind::Resumed => html! { strong { (who) } " " (s.ev_resumed) },
        EventKind::DecidedByMail => html! { em { (ctx.t.mail.ev_by_mail) } },
        EventKind::Escalated {
            target,
            percent,
            due,
            notify,
        } => {
            let told: Vec<&str> = notify.iter().map(|r| s.recipient(*r)).collect();
            html! {
                em {
                    (s.ev_escalated) " " (s.clock(*target)) ", " (percent) " %"
                    " (" (format_time(*due, ctx.locale, &ctx.tz)) ")" (ctx.t.semicolon)
                    (s.ev_told) (ctx.t.colon) (told.join(", ")) "."
                }
            }
        }
        EventKind::Reminded => html! { em { (s.ev_reminded) } },
        EventKind::ClosedUnanswered { days } => html! {
            em { (s.ev_closed) " " (days) " " (s.days_without_answer) "." }
        },
        _ => return None,
    };
    Some(markup)
}
