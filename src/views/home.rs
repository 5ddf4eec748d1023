//! The portal home page.

use super::PageCtx;
use super::layout::page;
use crate::domain::Role;
use maud::{Markup, html};

pub fn home(ctx: &PageCtx, display_name: &str, role: Role) -> Markup {
    let t = ctx.t;
    let body = html! {
        hgroup {
            h1 { (t.welcome) ", " (display_name) }
            p { (t.home_intro) }
        }
        article.empty-state {
            p { (t.home_empty_catalog) }
            @if role == Role::Admin {
                p { (t.home_admin_hint) " " a href="/admin" { (t.nav_admin) } }
            }
        }
    };
    page(ctx, t.nav_home, body)
}
