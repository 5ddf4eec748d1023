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
    /// Which notifications also come by mail, when mail is on.
    pub mail: Option<&'a crate::ops::MailChoices>,
}

/// One checkbox per notification kind, named `mail`, its value the kind's code.
pub fn mail_kinds(
    ctx: &PageCtx,
    kinds: &[(crate::domain::notification::NoticeKind, bool)],
) -> Markup {
    html! {
        fieldset {
            @for (kind, on) in kinds {
                label {
                    input type="checkbox" name="mail" value=(kind.code()) checked[*on];
                    (ctx.t.notice(*kind))
                }
            }
        }
    }
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
            @if let Some(mail) = view.mail {
                article {
                    header { h2 { (t.mail.choices_title) } p { small { (t.mail.choices_intro) } } }
                    @if !mail.own { p { small.muted { (t.mail.choices_default) } } }
                    form method="post" action="/account/mail" {
                        (csrf(ctx))
                        (mail_kinds(ctx, &mail.kinds))
                        button.secondary type="submit" { (t.save) }
                    }
                }
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
