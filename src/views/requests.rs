//! One request: the confirmation after submission, its details with the form snapshot's labels,
//! attachments, approval steps, the timeline with comments, and the actions the viewer may take.

use super::layout::page;
use super::{PageCtx, Text, Time, i18n::field_message, lines};
use crate::domain::form::{Answer, FieldKind};
use crate::domain::request::{Approver, Event, EventKind, Request, Status};
use crate::domain::{FieldErrors, Locale};
use crate::ops::RequestPage;
use maud::{Markup, html};

pub fn status_badge(ctx: &PageCtx, status: Status) -> StatusBadge {
    StatusBadge(status, ctx.t.status(status))
}

/// A status as its coloured badge, written straight into the page: a listing has one a row.
pub struct StatusBadge(Status, &'static str);

impl maud::Render for StatusBadge {
    fn render_to(&self, out: &mut String) {
        super::text::push_span(out, ["status s-", self.0.code()], self.1);
    }
}

/// "12 KiB", "3.4 MiB"; in French "12 Kio", "3,4 Mio" (the units the limits are given in).
pub fn file_size(bytes: u64, locale: Locale) -> String {
    const KB: u64 = 1024;
    let (byte, kilo, mega, point) = match locale {
        Locale::Fr => ("o", "Kio", "Mio", ','),
        Locale::En => ("B", "KiB", "MiB", '.'),
    };
    match bytes {
        b if b < KB => format!("{b} {byte}"),
        b if b < KB * KB => format!("{} {kilo}", b.div_ceil(KB)),
        b => format!(
            "{}{point}{} {mega}",
            b / (KB * KB),
            (b % (KB * KB)) * 10 / (KB * KB)
        ),
    }
}

fn answer(ctx: &PageCtx, kind: FieldKind, value: &Answer) -> Markup {
    html! {
        @match value {
            Answer::Text(date) if kind == FieldKind::Date => (super::format_date(date, ctx.locale)),
            Answer::Text(text) => (lines(text)),
            Answer::Number(n) => (n),
            Answer::Choices(choices) => (choices.join(", ")),
            Answer::Flag(on) => (if *on { ctx.t.yes } else { ctx.t.no }),
            Answer::File(file) => { (file.name) " (" (file_size(file.size, ctx.locale)) ")" }
        }
    }
}

fn approver_name(ctx: &PageCtx, view: &RequestPage, approver: Approver) -> String {
    match approver {
        Approver::User(id) => view.name(id).to_owned(),
        Approver::Admins => ctx.t.any_admin.to_owned(),
    }
}

/// The next step in words, for the confirmation and the page's summary.
fn next_step(ctx: &PageCtx, view: &RequestPage) -> String {
    let t = ctx.t;
    let r = &view.request;
    match (r.status, r.current_approver(), r.assignee) {
        (Status::PendingApproval, Some(approver), _) => {
            format!(
                "{} {}",
                t.waiting_approval_by,
                approver_name(ctx, view, approver)
            )
        }
        (Status::InProgress, _, Some(assignee)) => {
            format!("{} {}", t.being_handled_by, view.name(assignee))
        }
        (Status::New | Status::Approved, _, _) => t.in_it_queue.to_owned(),
        _ => t.closed_request.to_owned(),
    }
}

fn event_line(ctx: &PageCtx, view: &RequestPage, event: &Event) -> Markup {
    let t = ctx.t;
    let who = event.by.map_or(t.system, |id| view.name(id));
    html! {
        li.event.internal[event.kind.is_internal()] {
            small.muted { (Time(event.at, ctx.locale, &ctx.tz)) }
            " "
            @match &event.kind {
                EventKind::Submitted => {
                    strong { (Text(who)) } " " (Text(t.ev_submitted))
                    @if event.by.is_some_and(|by| by != view.request.requester) {
                        " " (Text(t.life.ev_for)) " " strong { (Text(view.name(view.request.requester))) }
                    }
                }
                EventKind::ApprovedWhenFiled => { em { (Text(t.life.ev_approved_when_filed)) } }
                EventKind::ApproverFallback { step, reason, to } => {
                    em { (Text(t.fb_step)) " " (step + 1) (Text(t.colon)) (t.fallback_reason(*reason)) (Text(t.semicolon)) (Text(t.fb_handed_to)) " " (approver_name(ctx, view, *to)) "." }
                }
                EventKind::Approved { comment, overridden, .. } => {
                    strong { (Text(who)) } " " (Text(t.ev_approved))
                    @if *overridden { " (" (Text(t.ev_override)) ")" }
                    @if !comment.is_empty() { blockquote { (Text(comment)) } }
                }
                EventKind::Rejected { reason, overridden, .. } => {
                    strong { (Text(who)) } " " (Text(t.ev_rejected))
                    @if *overridden { " (" (Text(t.ev_override)) ")" }
                    blockquote { (Text(reason)) }
                }
                EventKind::Taken => { strong { (Text(who)) } " " (Text(t.ev_taken)) }
                EventKind::Assigned { to } => { strong { (Text(who)) } " " (Text(t.ev_assigned)) " " strong { (Text(view.name(*to))) } }
                EventKind::Completed { resolution } => { strong { (Text(who)) } " " (Text(t.ev_completed)) blockquote { (Text(resolution)) } }
                EventKind::Cancelled { reason } => {
                    strong { (Text(who)) } " " (Text(t.ev_cancelled))
                    @if !reason.is_empty() { blockquote { (lines(reason)) } }
                }
                EventKind::Reopened { reason, .. } => {
                    strong { (Text(who)) } " " (Text(t.life.ev_reopened)) blockquote { (lines(reason)) }
                }
                EventKind::Released => { strong { (Text(who)) } " " (Text(t.life.ev_released)) }
                EventKind::Transferred { team } => {
                    strong { (Text(who)) } " " (Text(t.life.ev_transferred)) " " strong { (Text(view.team_name(*team))) }
                }
                EventKind::Comment { body, internal } => {
                    strong { (Text(who)) } " " (Text(t.ev_commented))
                    @if *internal { " " span.badge.off { (Text(t.internal_badge)) } }
                    blockquote { (lines(body)) }
                }
                _ => { (super::sla::event(ctx, who, event).unwrap_or_default()) }
            }
        }
    }
}

fn error_of(ctx: &PageCtx, errors: &FieldErrors, key: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(key) {
            small.field-error role="alert" { (field_message(ctx.locale, message)) }
        }
    }
}

/// Approve or reject, with the reason the requester reads (required to reject). `back` is the
/// page to come back to after the decision.
pub fn decision_form(
    ctx: &PageCtx,
    number: &str,
    back: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let t = ctx.t;
    let id = format!("reason-{number}");
    let invalid = errors.get("reason").is_some();
    html! {
        form method="post" action={ "/requests/" (Text(number)) "/decide" } {
            input type="hidden" name="_csrf" value=(ctx.csrf);
            @if let Some(back) = back { input type="hidden" name="back" value=(back); }
            label for=(id) { (Text(t.reason)) " / " (Text(t.approval_comment)) }
            textarea #(id) name="reason" rows="2" maxlength="5000" aria-describedby={ (id) "-help" }
                aria-invalid=[invalid.then_some("true")] autofocus[invalid] {}
            small id={ (id) "-help" } { (Text(t.reason_help)) }
            (error_of(ctx, errors, "reason"))
            div.button-row {
                button type="submit" name="decision" value="approve" { (Text(t.approve)) }
                button.secondary type="submit" name="decision" value="reject" { (Text(t.reject)) }
            }
        }
    }
}

fn action_forms(ctx: &PageCtx, view: &RequestPage, errors: &FieldErrors) -> Markup {
    let t = ctx.t;
    let base = format!("/requests/{}", view.request.id.number());
    let may = view.may;
    html! {
        @if may.decide {
            article.decision {
                header { h2 { (Text(t.approval_title)) } }
                (decision_form(ctx, &view.request.id.number(), None, errors))
            }
        }
        @if may.reopen {
            article.reopen {
                header { h2 { (Text(t.life.reopen_title)) } }
                p.muted { (Text(t.life.reopen_help)) }
                form method="post" action={ (base) "/reopen" } {
                    input type="hidden" name="_csrf" value=(ctx.csrf);
                    label for="reopen-reason" { (Text(t.life.reopen_reason)) }
                    textarea #reopen-reason name="reason" rows="2" maxlength="5000" required
                        aria-invalid=[errors.get("reason").is_some().then_some("true")] {}
                    (error_of(ctx, errors, "reason"))
                    button type="submit" { (Text(t.life.reopen)) }
                }
            }
        }
        @if may.take || may.assign || may.complete || may.cancel || may.release || may.transfer {
            article.request-actions {
                header { h2 { (Text(t.actions)) } }
                div.forms {
                @if may.take {
                    form method="post" action={ (base) "/take" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        button type="submit" { (Text(t.take)) }
                    }
                }
                @if may.assign {
                    form method="post" action={ (base) "/assign" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        label for="assign-to" { (Text(t.assign_to)) }
                        div.inline-field {
                            select #assign-to name="user_id" {
                                @for (id, name) in &view.technicians {
                                    option value=(id) selected[view.request.assignee == Some(*id)] { (name) }
                                }
                            }
                            button.secondary type="submit" { (Text(t.assign)) }
                        }
                    }
                }
                @if may.transfer && view.teams.iter().any(|(id, _)| view.request.team != Some(*id)) {
                    form method="post" action={ (base) "/assign" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        label for="transfer-to" { (Text(t.life.transfer_to)) }
                        div.inline-field {
                            select #transfer-to name="team_id" {
                                @for (id, name) in view.teams.iter().filter(|(id, _)| view.request.team != Some(*id)) {
                                    option value=(id.0) { (name) }
                                }
                            }
                            button.secondary type="submit" { (Text(t.life.transfer)) }
                        }
                        (error_of(ctx, errors, "team_id"))
                    }
                }
                @if may.release {
                    form method="post" action={ (base) "/release" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        button.outline.secondary type="submit" { (Text(t.life.release)) }
                    }
                }
                @if may.complete {
                    form method="post" action={ (base) "/complete" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        label for="resolution" { (Text(t.resolution)) }
                        textarea #resolution name="resolution" rows="3" required {}
                        (error_of(ctx, errors, "resolution"))
                        button type="submit" { (Text(t.complete)) }
                    }
                }
                @if may.cancel {
                    form method="post" action={ (base) "/cancel" } {
                        input type="hidden" name="_csrf" value=(ctx.csrf);
                        button.outline.secondary type="submit" { (Text(t.cancel_request)) }
                    }
                }
                }
            }
        }
    }
}

/// A request's answers, labelled as its form was when submitted.
pub fn details(ctx: &PageCtx, r: &Request) -> Markup {
    let t = ctx.t;
    html! {
        @if r.data.is_empty() {
            p.muted { (Text(t.no_details)) }
        } @else {
            dl.answers {
                @for field in &r.form {
                    @if let Some(value) = r.data.get(&field.key) {
                        dt { (field.label) }
                        dd {
                            (answer(ctx, field.kind, value))
                            @if matches!(value, Answer::File(_)) {
                                " " a href={ "/requests/" (r.id.number()) "/files/" (field.key) } download { (Text(t.download)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn request(
    ctx: &PageCtx,
    view: &RequestPage,
    created: bool,
    notice: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let t = ctx.t;
    let r = &view.request;
    let number = r.id.number();
    let body = html! {
        (super::layout::flash(notice))
        @if created {
            article.confirmation role="status" {
                h2 { (Text(t.request_created)) }
                p { (Text(t.tracking_number)) (Text(t.colon)) strong.tracking { (Text(&number)) } }
                p { (Text(t.next_step)) (Text(t.colon)) (next_step(ctx, view)) }
                @if let Some(sla) = &view.sla {
                    p { (super::sla::promise(ctx, &sla.policy)) "." }
                } @else if let Some(due) = r.due_at {
                    p { (Text(t.expected_by)) " " (Time(due, ctx.locale, &ctx.tz)) }
                }
            }
        }
        hgroup {
            h1 { (Text(&r.service_name)) }
            p { span.tracking { (Text(&number)) } " " (status_badge(ctx, r.status)) }
        }
        div.grid.request-head {
            dl.facts {
                dt { (Text(t.requester)) } dd { (Text(view.name(r.requester))) }
                dt { (Text(t.submitted_on)) } dd { (Time(r.created_at, ctx.locale, &ctx.tz)) }
                @if let (Some(due), None) = (r.due_at, &view.sla) {
                    dt { (Text(t.due)) } dd { (Time(due, ctx.locale, &ctx.tz)) }
                }
                (super::sla::facts(ctx, view))
                dt { (Text(t.assignee)) }
                dd { (r.assignee.map_or(t.unassigned, |a| view.name(a))) }
                dt { (Text(t.next_step)) } dd { (next_step(ctx, view)) }
            }
            @if !r.steps.is_empty() {
                div {
                    h2.small-title { (Text(t.approval_steps_title)) }
                    ol.approval-steps {
                        @for step in &r.steps {
                            li {
                                (approver_name(ctx, view, step.approver))
                                @if let Some(decision) = &step.decision {
                                    " — " (if decision.approved { t.status_approved } else { t.status_rejected })
                                    " " small.muted { (Time(decision.at, ctx.locale, &ctx.tz)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        (action_forms(ctx, view, errors))
        article {
            header { h2 { (Text(t.details)) } }
            (details(ctx, r))
        }
        (super::sla::waiting_banner(ctx, view))
        section {
            h2 { (Text(t.timeline)) }
            ol.timeline {
                @for event in view.events.iter() { (event_line(ctx, view, event)) }
            }
            @if view.may.comment {
                form.comment-form method="post" action={ "/requests/" (Text(&number)) "/comments" } {
                    input type="hidden" name="_csrf" value=(ctx.csrf);
                    label for="comment-body" { (Text(t.add_comment)) }
                    textarea #comment-body name="body" rows="3" required {}
                    (error_of(ctx, errors, "body"))
                    @if view.may.comment_internal {
                        label { input type="checkbox" name="internal" value="on"; (Text(t.internal_comment)) }
                    }
                    @if view.may.wait {
                        label { input type="checkbox" name="wait" value="on"; (Text(t.sla.wait_checkbox)) }
                    }
                    button type="submit" { (Text(t.send)) }
                }
            }
            @if view.may.resume {
                form method="post" action={ "/requests/" (Text(&number)) "/resume" } {
                    input type="hidden" name="_csrf" value=(ctx.csrf);
                    button.secondary type="submit" { (Text(t.sla.resume)) }
                }
            }
        }
    };
    page(ctx, &format!("{number} · {}", r.service_name), body)
}
