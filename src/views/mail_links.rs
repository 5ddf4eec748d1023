//! The pages behind the links of an approval mail: the confirmation (its form decides), what
//! was decided, or why the link cannot be used. No sign-in: the signed link is the proof.

use super::PageCtx;
use super::forms::{csrf, error_summary};
use super::i18n::field_message;
use super::layout::page;
use crate::domain::FieldErrors;
use crate::ops::{Decision, LinkRefusal, LinkView};
use maud::{Markup, html};

pub fn refused(ctx: &PageCtx, why: LinkRefusal) -> Markup {
    let m = ctx.t.mail;
    let text = match why {
        LinkRefusal::Forged => m.link_forged,
        LinkRefusal::Expired => m.link_expired,
        LinkRefusal::Decided => m.link_decided,
        LinkRefusal::NotApprover => m.link_not_approver,
    };
    let body = html! {
        h1 { (m.link_refused_title) }
        p.notice role="status" { (text) }
        p { a href="/approvals" { (m.link_open) } }
    };
    page(ctx, m.link_refused_title, body)
}

pub fn confirm(
    ctx: &PageCtx,
    decision: Decision,
    view: &LinkView,
    action: &str,
    reason: &str,
    errors: &FieldErrors,
) -> Markup {
    let (t, m) = (ctx.t, ctx.t.mail);
    let r = &view.request;
    let (title, button, field, label) = match decision {
        Decision::Approve => (
            m.link_approve_title,
            m.link_approve,
            "comment",
            m.link_comment,
        ),
        Decision::Reject => (m.link_reject_title, m.link_reject, "reason", m.link_reason),
    };
    let error = errors.get(field);
    let body = html! {
        h1 { (title) " " (r.id.number()) }
        dl.facts {
            dt { (t.service) } dd { (r.service_name) }
            dt { (t.requester) } dd { (view.requester) }
            dt { (m.link_as) } dd { (view.approver.display_name) }
        }
        (super::requests::details(ctx, r))
        form method="post" action=(action) novalidate {
            (csrf(ctx))
            (error_summary(ctx, errors))
            label {
                (label)
                @if decision == Decision::Reject { " " abbr.required title="*" { "*" } }
                textarea name=(field) rows="3" required[decision == Decision::Reject]
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| "reason-error")] { (reason) }
            }
            @if let Some(message) = error {
                small.field-error id="reason-error" { (field_message(ctx.locale, message)) }
            }
            button type="submit" { (button) }
        }
    };
    page(ctx, title, body)
}

pub fn decided(ctx: &PageCtx, decision: Decision, number: &str) -> Markup {
    let m = ctx.t.mail;
    let text = match decision {
        Decision::Approve => m.link_approved,
        Decision::Reject => m.link_rejected,
    };
    let body = html! {
        h1 { (number) }
        p.notice role="status" { (text) }
        p { a href={ "/requests/" (number) } { (m.link_open) } }
    };
    page(ctx, number, body)
}
