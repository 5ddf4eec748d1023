//! The signed-in user's own page: profile, language, password and personal API tokens.

use super::forms::{Input, csrf, error_summary, select};
use super::layout::{flash, page};
use super::{PageCtx, format_time};
use crate::domain::{FieldErrors, Locale, Session, User};
use maud::{Markup, html};

pub struct AccountView<'a> {
    pub user: &'a User,
    pub manager_name: Option<&'a str>,
    pub tokens: &'a [Session],
    /// A token just created: shown once.
    pub new_token: Option<&'a str>,
    pub flash: Option<&'a str>,
    pub errors: &'a FieldErrors,
}

pub fn account(ctx: &PageCtx, view: &AccountView<'_>) -> Markup {
    let t = ctx.t;
    let user = view.user;
    let locales = t.locale_choices();
    let body = html! {
        h1 { (t.account_title) }
        (flash(view.flash))
        (error_summary(ctx, view.errors))
        div.grid {
            article {
                header { h2 { (t.profile) } }
                dl.facts {
                    dt { (t.username) } dd { code { (user.username) } }
                    dt { (t.display_name) } dd { (user.display_name) }
                    dt { (t.email) } dd { (user.email) }
                    dt { (t.role) } dd { (t.role(user.role)) }
                    dt { (t.manager) } dd { (view.manager_name.unwrap_or(t.none)) }
                }
                form method="post" action="/account/locale" {
                    (csrf(ctx))
                    (select(ctx, view.errors, "locale", t.language, &locales, Locale::choice_code(user.locale)))
                    button.secondary type="submit" { (t.save) }
                }
                p { a href="/account/password" { (t.change_password) } }
            }
            article {
                header { h2 { (t.api_tokens) } p { small { (t.api_tokens_intro) } } }
                @if let Some(token) = view.new_token {
                    div.notice role="status" {
                        p { (t.token_created) } p { code.secret { (token) } } p { small { (t.token_shown_once) } }
                    }
                }
                @if view.tokens.is_empty() {
                    p { (t.no_tokens) }
                } @else {
                    table {
                        tbody {
                            @for token in view.tokens {
                                tr {
                                    td { (token.name) }
                                    td { small { (t.created) " " (format_time(token.created_at, ctx.locale, &ctx.tz)) } }
                                    td {
                                        form.inline method="post" action={ "/account/tokens/" (token.id) "/revoke" } {
                                            (csrf(ctx))
                                            button.outline.secondary.small type="submit" { (t.revoke) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/account/tokens" {
                    (csrf(ctx))
                    (Input::text("name", t.token_name, "").required().render(ctx, view.errors))
                    button.secondary type="submit" { (t.create_token) }
                }
            }
        }
    };
    page(ctx, t.account_title, body)
}
