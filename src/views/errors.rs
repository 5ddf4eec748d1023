//! Friendly error pages.

use super::PageCtx;
use super::layout::page;
use maud::{Markup, html};

pub fn error_page(ctx: &PageCtx, title: &str, text: &str, reference: Option<&str>) -> Markup {
    let body = html! {
        article.narrow.error-page {
            h1 { (title) }
            p { (text) }
            @if let Some(reference) = reference {
                p { small { "Référence / reference: " code { (reference) } } }
            }
            p { a href="/" { (ctx.t.back_home) } }
        }
    };
    page(ctx, title, body)
}
