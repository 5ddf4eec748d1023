//! The outbox page: whether mail is on and through which relay, a test mail, and the newest
//! mails with where each stands (pending with its next try, sent, failed with the relay's
//! answer and a button to try again).

use super::admin::admin_tabs;
use super::forms::{Input, csrf, error_summary};
use super::layout::{flash, page};
use super::{PageCtx, format_time};
use crate::domain::FieldErrors;
use crate::domain::mail::{Mail, MailBody, MailState};
use crate::ops::OutboxView;
use maud::{Markup, html};

fn about(ctx: &PageCtx, mail: &Mail) -> Markup {
    match &mail.body {
        MailBody::Notice { request, kind, .. } => html! {
            span { a href={ "/requests/" (request.number()) } { (request.number()) } " · " (ctx.t.notice(*kind)) }
        },
        MailBody::Test { .. } => html! { (ctx.t.mail.test_mail) },
        MailBody::Digest { .. } => html! { (ctx.t.mail.digest) },
        MailBody::PasswordReset { .. } => html! { (ctx.t.mail.reset_mail) },
    }
}

fn state(ctx: &PageCtx, mail: &Mail) -> Markup {
    let m = ctx.t.mail;
    match &mail.state {
        MailState::Pending {
            next_at,
            last_error,
        } => html! {
            span.badge { (m.state_pending) } " "
            small.muted { (m.next_try) (ctx.t.colon) (format_time(*next_at, ctx.locale, &ctx.tz)) }
            @if let Some(error) = last_error { br; small { (error) } }
        },
        MailState::Sent { at } => html! {
            span.badge.ok { (m.state_sent) } " " small.muted { (format_time(*at, ctx.locale, &ctx.tz)) }
        },
        MailState::Failed { at, error } => html! {
            span.badge.late-badge { (m.state_failed) } " " small.muted { (format_time(*at, ctx.locale, &ctx.tz)) }
            br; small { (error) }
            form method="post" action={ "/admin/outbox/" (mail.id) "/retry" } {
                (csrf(ctx))
                button.secondary.compact type="submit" { (m.retry) }
            }
        },
    }
}

pub fn outbox(
    ctx: &PageCtx,
    view: &OutboxView,
    held: bool,
    defaults: &[(crate::domain::notification::NoticeKind, bool)],
    notice: Option<&str>,
    to: &str,
    errors: &FieldErrors,
) -> Markup {
    let (t, m) = (ctx.t, ctx.t.mail);
    let body = html! {
        (admin_tabs(ctx))
        h1 { (m.title) }
        (flash(notice))
        @match &view.relay {
            None => p.notice role="status" { (m.off) },
            Some(relay) => {
                p { (m.relay) (t.colon) code { (relay) } " · " (m.pending) (t.colon) strong { (view.pending) } }
                @if held {
                    div.notice role="status" {
                        p { (m.held) }
                        form method="post" action="/admin/outbox/release" {
                            (csrf(ctx))
                            button type="submit" { (m.release) }
                        }
                    }
                }
                section aria-labelledby="defaults-title" {
                    h2 id="defaults-title" { (m.defaults_title) }
                    p.muted { (m.defaults_intro) }
                    form method="post" action="/admin/outbox/defaults" {
                        (csrf(ctx))
                        (super::account::mail_kinds(ctx, defaults))
                        button.secondary type="submit" { (t.save) }
                    }
                }
                section aria-labelledby="test-title" {
                    h2 id="test-title" { (m.test_title) }
                    form method="post" action="/admin/outbox/test" novalidate {
                        (csrf(ctx))
                        (error_summary(ctx, errors))
                        (Input::text("to", m.test_to, to).kind("email").required().render(ctx, errors))
                        button type="submit" { (m.test_send) }
                    }
                }
            }
        }
        @if view.mails.is_empty() {
            p.muted { (m.none) }
        } @else {
            div.table-scroll {
                table.requests {
                    thead { tr {
                        th { (m.col_queued) } th { (m.col_to) } th { (m.col_about) } th { (m.col_attempts) } th { (m.col_state) }
                    } }
                    tbody {
                        @for mail in &view.mails {
                            tr {
                                td data-label=(m.col_queued) { (format_time(mail.created_at, ctx.locale, &ctx.tz)) }
                                td data-label=(m.col_to) { (mail.to) }
                                td data-label=(m.col_about) { (about(ctx, mail)) }
                                td data-label=(m.col_attempts) { (mail.attempts) }
                                td data-label=(m.col_state) { (state(ctx, mail)) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, m.title, body)
}
