//! The confirmation page of a destructive action, without JavaScript: the action's form posts
//! first without `confirm`, and is answered with this page, whose form posts again with
//! `confirm=yes`.

use super::PageCtx;
use super::layout::page;
use maud::{Markup, html};

/// What is about to happen, and where "no" goes back to.
pub struct Confirm<'a> {
    /// The question, as the page's title: "Cancel this request?".
    pub question: &'a str,
    /// What it is done to: a request number, a category or field name.
    pub subject: &'a str,
    /// What follows from it, in a sentence.
    pub consequence: &'a str,
    /// The address the action posts to (its query kept).
    pub action: &'a str,
    /// The label of the button that does it.
    pub confirm_label: &'a str,
    pub back: &'a str,
    /// A text to give with it (name, label): the reason of a cancellation.
    pub note: Option<(&'a str, &'a str)>,
}

pub fn confirm(ctx: &PageCtx, c: &Confirm<'_>) -> Markup {
    let t = ctx.t;
    let body = html! {
        article.narrow.confirm-box {
            header { h1 { (c.question) } }
            p { strong { (c.subject) } }
            p { (c.consequence) }
            form method="post" action=(c.action) {
                input type="hidden" name="_csrf" value=(ctx.csrf);
                input type="hidden" name="confirm" value="yes";
                @if let Some((name, label)) = c.note {
                    label for="confirm-note" { (label) }
                    textarea #confirm-note name=(name) rows="2" maxlength="5000" {}
                }
                div.button-row {
                    button.danger type="submit" autofocus { (c.confirm_label) }
                    a role="button" .secondary.outline href=(c.back) { (t.go_back) }
                }
            }
        }
    };
    page(ctx, c.question, body)
}
