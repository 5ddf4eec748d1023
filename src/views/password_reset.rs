//! The forgotten-password pages: asking for a link, and choosing the new password from it.

use super::PageCtx;
use super::forms::{Input, csrf, error_summary};
use super::layout::page;
use crate::domain::FieldErrors;
use crate::ops::ResetRefusal;
use maud::{Markup, html};

pub fn forgot(ctx: &PageCtx, who: &str, notice: Option<&str>, message: Option<&str>) -> Markup {
    let m = ctx.t.mail;
    let body = html! {
        article.narrow {
            header { h1 { (m.forgot_title) } p { (m.forgot_intro) } }
            @if let Some(notice) = notice { p.notice role="status" { (notice) } }
            @if let Some(message) = message { p.form-error role="alert" { (message) } }
            form method="post" action="/password/forgot" {
                (csrf(ctx))
                (Input::text("who", m.forgot_who, who).required().autocomplete("username")
                    .render(ctx, &FieldErrors::new()))
                button type="submit" { (m.forgot_send) }
            }
            p { a href="/login" { (ctx.t.sign_in) } }
        }
    };
    page(ctx, m.forgot_title, body)
}

pub fn choose(ctx: &PageCtx, action: &str, errors: &FieldErrors) -> Markup {
    let m = ctx.t.mail;
    let body = html! {
        article.narrow {
            header { h1 { (m.reset_title) } }
            form method="post" action=(action) novalidate {
                (csrf(ctx))
                (error_summary(ctx, errors))
                (Input::text("password", m.reset_password, "").kind("password").required()
                    .autocomplete("new-password").render(ctx, errors))
                button type="submit" { (m.reset_save) }
            }
        }
    };
    page(ctx, m.reset_title, body)
}

pub fn refused(ctx: &PageCtx, why: ResetRefusal) -> Markup {
    let m = ctx.t.mail;
    let text = match why {
        ResetRefusal::Invalid => m.reset_invalid,
        ResetRefusal::Expired => m.reset_expired,
        ResetRefusal::Used => m.reset_used,
    };
    let body = html! {
        article.narrow {
            header { h1 { (m.reset_title) } }
            p.notice role="status" { (text) }
            p { a href="/password/forgot" { (m.reset_again) } }
        }
    };
    page(ctx, m.reset_title, body)
}
