//! The page frame: head, header with what the viewer's role may use, main, footer.

use super::i18n::Texts;
use super::{Reserve, Text};
use crate::domain::{Locale, Role};
use maud::{DOCTYPE, Markup, html};
use std::sync::Arc;

/// Content-hashed asset URLs, filled in by `web::assets` at start-up.
#[derive(Debug, Clone, Default)]
pub struct AssetUrls {
    pub pico_css: String,
    pub app_css: String,
    pub icons_css: String,
    /// Generated: the names of a request table's cells on a phone.
    pub labels_css: String,
    pub search_js: String,
    pub favicon: String,
}

/// Who is looking, as far as the frame needs to know.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub display_name: String,
    pub role: Role,
    /// While set, the header offers nothing but signing out.
    pub must_change_password: bool,
    /// Unread notifications, for the header.
    pub unread: u64,
    /// Requests waiting for this user's decision.
    pub approvals: u64,
}

/// Everything a page needs besides its own data.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub locale: Locale,
    pub t: &'static Texts,
    pub org_name: Arc<str>,
    pub viewer: Option<Viewer>,
    /// The form token to embed in every state-changing form.
    pub csrf: String,
    /// The request path, to mark the current navigation entry.
    pub path: String,
    pub demo: bool,
    pub assets: Arc<AssetUrls>,
    /// The server's time zone, for dates.
    pub tz: jiff::tz::TimeZone,
    /// Listing rows as written, kept by the server (`row_html.rs`).
    pub rows: Arc<super::row_html::RowHtml>,
    /// Listings' filter forms as written, kept by the server (`filter_html.rs`).
    pub filters: Arc<super::filter_html::FilterHtml>,
}

pub fn page(ctx: &PageCtx, title: &str, body: Markup) -> Markup {
    let t = ctx.t;
    // One template for the whole frame, header and menu included, so that it is written
    // straight into the page rather than each part into a string of its own then copied.
    html! {
        // The frame is about 4 KiB: the page then grows once.
        (Reserve(body.0.len() + 6144))
        (DOCTYPE)
        html lang=(ctx.locale.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (Text(title)) " · " (Text(&ctx.org_name)) }
                link rel="icon" type="image/svg+xml" href=(Text(&ctx.assets.favicon));
                link rel="stylesheet" href=(Text(&ctx.assets.pico_css));
                link rel="stylesheet" href=(Text(&ctx.assets.app_css));
                link rel="stylesheet" href=(Text(&ctx.assets.icons_css));
                link rel="stylesheet" href=(Text(&ctx.assets.labels_css));
                @if ctx.viewer.is_some() {
                    script src=(Text(&ctx.assets.search_js)) defer {}
                }
            }
            body {
                a.skip href="#main" { (Text(t.skip_to_content)) }
                header.site-header {
                    nav.container aria-label=(Text(t.main_navigation)) {
                        ul.brand-row {
                            li { a.brand href="/" { strong { (Text(&ctx.org_name)) } } }
                        }
                        @if ctx.viewer.as_ref().is_some_and(|v| !v.must_change_password) {
                            form.header-search method="get" action="/search" {
                                input type="search" name="q" placeholder=(Text(t.search_placeholder))
                                    aria-label=(Text(t.search_title)) autocomplete="off" data-suggest="/search/suggest";
                            }
                        }
                        @if let Some(viewer) = &ctx.viewer {
                            // On a narrow screen the links open from a menu button as a popover
                            // (no JavaScript); on a wide one app.css shows them as a row.
                            button.menu-toggle type="button" popovertarget="site-menu" {
                                (Text(t.menu))
                                @if viewer.unread > 0 {
                                    " " span.count aria-label={ (viewer.unread) " " (Text(t.unread)) } { (viewer.unread) }
                                }
                            }
                            ul.nav-links #site-menu popover {
                                @for (href, label, count) in nav_entries(t, viewer).into_iter().flatten() {
                                    li {
                                        a href=(Text(href)) aria-current=[current(ctx, href).then_some("page")] {
                                            (Text(label))
                                            @if count > 0 {
                                                " " span.count aria-label={ (count) " " (Text(t.unread)) } { (count) }
                                            }
                                        }
                                    }
                                }
                                (switch_and_sign_out(ctx, viewer))
                            }
                        } @else {
                            ul {
                                li {
                                    a href={ "?lang=" (other_locale(ctx.locale).code()) }
                                        lang=(other_locale(ctx.locale).code()) { (Text(t.other_lang_label)) }
                                }
                            }
                        }
                    }
                }
                main.container #main { (body) }
                footer.container.site-footer {
                    small { "Guichet " (env!("CARGO_PKG_VERSION")) }
                }
            }
        }
    }
}

/// Whether `href` is the page shown or the section it belongs to.
fn current(ctx: &PageCtx, href: &str) -> bool {
    ctx.path == href || (href != "/" && ctx.path.starts_with(href))
}

/// The menu's links `viewer` may follow, in order, each with its count (shown when not zero):
/// none but signing out while the password must change.
fn nav_entries(
    t: &'static Texts,
    viewer: &Viewer,
) -> [Option<(&'static str, &'static str, u64)>; 8] {
    let open = !viewer.must_change_password;
    let staff = open && viewer.role.is_staff();
    let admin = open && viewer.role == Role::Admin;
    [
        open.then_some(("/", t.nav_home, 0)),
        open.then_some(("/my/requests", t.nav_my_requests, 0)),
        (open && (viewer.approvals > 0 || admin)).then_some((
            "/approvals",
            t.nav_approvals,
            viewer.approvals,
        )),
        staff.then_some(("/desk", t.nav_desk, 0)),
        staff.then_some(("/metrics", t.metrics.nav, 0)),
        open.then_some(("/notifications", t.nav_notifications, viewer.unread)),
        admin.then_some(("/admin", t.nav_admin, 0)),
        open.then_some(("/account", t.nav_account, 0)),
    ]
}

/// The menu's last two entries: the other language, and signing out.
fn switch_and_sign_out(ctx: &PageCtx, viewer: &Viewer) -> Markup {
    let t = ctx.t;
    let other = other_locale(ctx.locale);
    html! {
        li {
            form.inline method="post" action="/account/locale" {
                input type="hidden" name="_csrf" value=(Text(&ctx.csrf));
                input type="hidden" name="locale" value=(other.code());
                input type="hidden" name="back" value=(Text(&ctx.path));
                button.link.lang-switch type="submit" lang=(other.code()) { (Text(t.other_lang_label)) }
            }
        }
        li {
            form.inline method="post" action="/logout" {
                input type="hidden" name="_csrf" value=(Text(&ctx.csrf));
                button.outline.secondary.small type="submit"
                    title=(Text(&viewer.display_name)) { (Text(t.sign_out)) }
            }
        }
    }
}

fn other_locale(locale: Locale) -> Locale {
    match locale {
        Locale::Fr => Locale::En,
        Locale::En => Locale::Fr,
    }
}

/// A notice shown at the top of a page after an action (post/redirect/get).
pub fn flash(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.flash role="status" { (message) }
        }
    }
}
