//! The search results page.

use super::PageCtx;
use super::layout::page;
use crate::domain::Category;
use crate::domain::request::Request;
use crate::ops::SearchResult;
use maud::{Markup, html};

/// What a search found: the request its number names, if the user may see it, and services.
pub struct Found<'a> {
    pub request: Option<&'a Request>,
    pub services: &'a [SearchResult],
}

pub fn results(ctx: &PageCtx, query: &str, found: &Found<'_>, top: &[Category]) -> Markup {
    let t = ctx.t;
    let results = found.services;
    let body = html! {
        h1 { (t.search_title) }
        form.search-page role="search" method="get" action="/search" {
            input type="search" name="q" value=(query) placeholder=(t.search_placeholder)
                aria-label=(t.search_title) autofocus;
        }
        @if query.trim().is_empty() {
            p.muted { (t.search_prompt) }
        } @else if results.is_empty() && found.request.is_none() {
            p { (t.no_results) }
            p { (t.browse_instead) }
            ul.tiles {
                @for category in top {
                    li { a.tile href={ "/catalog/" (category.id) } {
                        (super::portal::icon(&category.icon))
                        span.tile-text { strong { (category.name) } }
                    } }
                }
            }
        } @else {
            p.muted { (t.results_for) " « " (query) " »" }
            ol.search-results {
                @if let Some(r) = found.request {
                    li.request-hit {
                        a href={ "/requests/" (r.id.number()) } { strong { (r.id.number()) " · " (r.service_name) } }
                        " " (super::requests::status_badge(ctx, r.status))
                        br;
                        small.muted { (t.submitted_on) " " (super::format_time(r.created_at, ctx.locale, &ctx.tz)) }
                    }
                }
                @for result in results {
                    li {
                        a href={ "/services/" (result.service.id) } { strong { (result.service.name) } }
                        br;
                        small.muted { (result.category_path) }
                        @if !result.snippet.0.is_empty() {
                            p.snippet {
                                @for (text, hit) in &result.snippet.0 {
                                    @if *hit { mark { (text) } } @else { (text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, t.search_title, body)
}
