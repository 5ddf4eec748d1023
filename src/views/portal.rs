//! The portal: home (top-level categories, most requested), a category, a service.

use super::Text;
use super::layout::page;
use super::{PageCtx, request_form};
use crate::domain::service::ApprovalRule;
use crate::domain::{Category, FieldErrors, Service};
use crate::ops::{CategoryPage, PortalHome, ServicePage};
use maud::{Markup, html};

pub fn icon(name: &str) -> Markup {
    html! { span class={ "icon i-" (name) } aria-hidden="true" {} }
}

fn category_tiles(categories: &[Category]) -> Markup {
    html! {
        ul.tiles {
            @for category in categories {
                li {
                    a.tile href={ "/catalog/" (category.id) } {
                        (icon(&category.icon))
                        span.tile-text {
                            strong { (Text(&category.name)) }
                            @if !category.description.is_empty() { small { (Text(&category.description)) } }
                        }
                    }
                }
            }
        }
    }
}

fn service_list(ctx: &PageCtx, services: &[std::sync::Arc<Service>]) -> Markup {
    html! {
        ul.service-list {
            @for service in services {
                li {
                    a href={ "/services/" (service.id) } { strong { (Text(&service.name)) } }
                    @if !service.active { " " span.badge.off { (Text(ctx.t.inactive)) } }
                    @if let Some(delay) = service.estimated_delay {
                        " " small.muted { "· " (ctx.t.delay(delay)) }
                    }
                    @if let Some(line) = service.description.lines().next().filter(|l| !l.is_empty()) {
                        br; small { (Text(line)) }
                    }
                }
            }
        }
    }
}

pub fn home(ctx: &PageCtx, display_name: &str, home: &PortalHome) -> Markup {
    let t = ctx.t;
    let body = html! {
        hgroup {
            h1 { (Text(t.welcome)) ", " (display_name) }
            p { (Text(t.home_intro)) }
        }
        @if home.top.is_empty() {
            article.empty-state { p { (Text(t.home_empty_catalog)) } }
        } @else {
            section {
                h2 { (Text(t.browse_title)) }
                (category_tiles(&home.top))
            }
        }
        @if !home.popular.is_empty() {
            section {
                h2 { (Text(t.popular_title)) }
                (service_list(ctx, &home.popular))
            }
        }
    };
    page(ctx, t.nav_home, body)
}

fn breadcrumbs(ctx: &PageCtx, path: &[Category], last_is_link: bool) -> Markup {
    html! {
        nav.breadcrumbs aria-label="breadcrumb" {
            ul {
                li { a href="/" { (ctx.t.nav_home) } }
                @for (i, category) in path.iter().enumerate() {
                    @if i + 1 == path.len() && !last_is_link {
                        li aria-current="page" { (category.name) }
                    } @else {
                        li { a href={ "/catalog/" (category.id) } { (category.name) } }
                    }
                }
            }
        }
    }
}

pub fn category(ctx: &PageCtx, view: &CategoryPage) -> Markup {
    let t = ctx.t;
    let Some(current) = view.path.last() else {
        return page(ctx, t.not_found_title, html! {});
    };
    let body = html! {
        (breadcrumbs(ctx, &view.path, false))
        hgroup.category-title {
            h1 { (icon(&current.icon)) " " (current.name) }
            @if !current.description.is_empty() { p { (current.description) } }
        }
        @if !view.children.is_empty() {
            section {
                h2 { (Text(t.subcategories)) }
                (category_tiles(&view.children))
            }
        }
        // A parent whose services are all in its sub-categories says nothing about services.
        @if !view.services.is_empty() {
            section {
                h2 { (Text(t.services_title)) }
                (service_list(ctx, &view.services))
            }
        } @else if view.children.is_empty() {
            section {
                h2 { (Text(t.services_title)) }
                p.muted { (Text(t.no_services_here)) }
            }
        }
    };
    page(ctx, &current.name, body)
}

fn approval(ctx: &PageCtx, view: &ServicePage) -> Markup {
    let t = ctx.t;
    html! {
        @if view.approval.is_empty() {
            p { (Text(t.approval_none)) }
        } @else {
            p { (Text(t.approval_needed)) }
            ol.approval-steps {
                @for step in &view.approval {
                    li {
                        @match step.rule {
                            ApprovalRule::Manager => { (Text(t.rule_manager)) }
                            ApprovalRule::TeamLead => { (Text(t.rule_team_lead)) }
                            ApprovalRule::User(_) => { (Text(t.rule_user)) }
                        }
                        @match &step.approver {
                            Some(name) => { " (" strong { (name) } ")" }
                            None => { " — " em { (Text(t.approver_fallback)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A service's page with its request form; after a refused submission, `values` and `errors`
/// bring back what was typed and what is wrong.
pub fn service(
    ctx: &PageCtx,
    view: &ServicePage,
    today: &str,
    values: &request_form::Values,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Markup {
    let t = ctx.t;
    let service = &view.service;
    let body = html! {
        (breadcrumbs(ctx, &view.path, true))
        (super::layout::flash(notice))
        h1 { (service.name) }
        @if !service.active {
            p.notice.warning role="status" { (Text(t.inactive_notice)) }
        }
        div.grid.service-head {
            div.description {
                @for paragraph in service.description.split("\n\n") {
                    p { (super::lines(paragraph)) }
                }
            }
            aside.facts-card {
                dl.facts {
                    @if let Some(policy) = &view.sla {
                        dt { (Text(t.sla.title)) }
                        dd { (super::sla::promise(ctx, policy)) "." }
                    } @else {
                        dt { (Text(t.estimated_delay)) }
                        dd { (service.estimated_delay.map_or_else(|| t.delay_unknown.to_owned(), |d| t.delay(d))) }
                    }
                    @if let Some(usual) = view.usual_seconds {
                        dt { (Text(t.metrics.usually)) }
                        dd { (super::sla::duration(usual, ctx.locale)) br; small.muted { (Text(t.metrics.usually_detail)) } }
                    }
                    @if let Some(team) = &view.team {
                        dt { (Text(t.handled_by)) } dd { (team) }
                    }
                }
                (approval(ctx, view))
            }
        }
        article #request {
            header { h2 { (Text(t.request_form_title)) } }
            @if !errors.is_empty() {
                div.notice.warning role="alert" {
                    p { (Text(t.form_has_errors)) }
                    (request_form::error_list(ctx, &service.form, errors))
                }
            }
            @if service.active {
                // The server's messages, in the page's language, next to each field.
                form.request-form method="post" action={ "/services/" (service.id) } enctype="multipart/form-data" novalidate {
                    input type="hidden" name="_csrf" value=(ctx.csrf);
                    @if !view.filing_for.is_empty() {
                        label for="requester_id" { (Text(t.life.file_for)) }
                        select #requester_id name="requester_id" aria-describedby="requester_id-help" {
                            option value="" { (Text(t.life.file_for_me)) }
                            @for (id, name) in &view.filing_for {
                                option value=(id.0) selected[values.get("requester_id").and_then(|v| v.first()) == Some(&id.0.to_string())] { (name) }
                            }
                        }
                        small #requester_id-help { (Text(t.life.file_for_help)) }
                        @if let Some(message) = errors.get("requester_id") {
                            small.field-error role="alert" { (super::i18n::field_message(ctx.locale, message)) }
                        }
                    }
                    @if service.form.is_empty() {
                        p.muted { (Text(t.no_form_fields)) }
                    }
                    (request_form::fields(ctx, &service.form, values, errors, today))
                    button type="submit" { (Text(t.submit_request)) }
                }
            } @else {
                (request_form::fields(ctx, &service.form, values, errors, today))
            }
        }
    };
    page(ctx, &service.name, body)
}
