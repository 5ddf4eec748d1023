//! Sign-in and password pages.

use super::PageCtx;
use super::forms::{Input, csrf, error_summary};
use super::layout::page;
use crate::domain::FieldErrors;
use maud::{Markup, html};

pub fn login(
    ctx: &PageCtx,
    username: &str,
    message: Option<&str>,
    notice: Option<&str>,
    next: &str,
    demo_password: &str,
    forgot: bool,
) -> Markup {
    let t = ctx.t;
    let body = html! {
        article.narrow {
            header { h1 { (t.login_title) } p { (t.login_intro) } }
            @if let Some(notice) = notice {
                p.notice.warning role="status" { (notice) }
            }
            @if let Some(message) = message {
                p.form-error role="alert" { (message) }
            }
            form method="post" action="/login" {
                (csrf(ctx))
                input type="hidden" name="next" value=(next);
                (Input::text("username", t.username, username).required().autocomplete("username")
                    .render(ctx, &FieldErrors::new()))
                (Input::text("password", t.password, "").kind("password").required()
                    .autocomplete("current-password").render(ctx, &FieldErrors::new()))
                button type="submit" { (t.sign_in) }
            }
            @if forgot {
                p { a href="/password/forgot" { (t.mail.forgot_link) } }
            }
        }
        @if ctx.demo {
            aside.demo-banner.narrow aria-label=(t.demo_banner_title) {
                h2 { (t.demo_banner_title) }
                p { (t.demo_banner_text) }
                dl.demo-logins {
                    @for (username, what) in t.demo_logins {
                        dt { code { (username) } } dd { (what) }
                    }
                }
                p { (t.demo_password_is) " " code { (demo_password) } }
            }
        }
    };
    page(ctx, t.login_title, body)
}

pub fn change_password(ctx: &PageCtx, forced: bool, errors: &FieldErrors) -> Markup {
    let t = ctx.t;
    let body = html! {
        article.narrow {
            header { h1 { (t.change_password) } }
            @if forced { p.notice role="status" { (t.must_change_password) } }
            (error_summary(ctx, errors))
            form method="post" action="/account/password" {
                (csrf(ctx))
                (Input::text("current", t.current_password, "").kind("password").required()
                    .autocomplete("current-password").render(ctx, errors))
                (Input::text("new", t.new_password, "").kind("password").required()
                    .autocomplete("new-password").help(t.password_hint).render(ctx, errors))
                button type="submit" { (t.change_password) }
            }
        }
    };
    page(ctx, t.change_password, body)
}
