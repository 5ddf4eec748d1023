//! Administration of the category tree, and the blocks the catalog admin pages share.

use super::PageCtx;
use super::admin::admin_tabs;
use super::forms::{Input, csrf, error_summary, select};
use super::layout::{flash, page};
use super::portal::icon;
use crate::domain::catalog::{ADVISED_TOP_LEVEL, ICONS, TreeNode, tree};
use crate::domain::{Category, FieldErrors, Service};
use maud::{Markup, html};

/// A small POST button (move, delete…) with the form token.
pub fn action_button(ctx: &PageCtx, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button class={ "small " (class) } type="submit" { (label) }
        }
    }
}

pub fn textarea(
    ctx: &PageCtx,
    errors: &FieldErrors,
    name: &str,
    label: &str,
    value: &str,
    help: Option<&str>,
) -> Markup {
    html! {
        label {
            (label)
            textarea name=(name) rows="4" aria-invalid=[errors.get(name).map(|_| "true")] { (value) }
            @if let Some(message) = errors.get(name) {
                small.field-error { (super::i18n::field_message(ctx.locale, message)) }
            }
            @if let Some(help) = help { small { (help) } }
        }
    }
}

fn category_rows(ctx: &PageCtx, nodes: &[TreeNode<'_>], services: &[Service]) -> Markup {
    html! {
        ul.tree {
            @for node in nodes {
                @let c = node.category;
                @let count = services.iter().filter(|s| s.category_id == c.id).count();
                li {
                    div.tree-row {
                        (icon(&c.icon))
                        a href={ "/admin/categories/" (c.id) } { strong { (c.name) } }
                        small.muted { " · " (ctx.t.service_count(count)) }
                        span.row-actions {
                            (action_button(ctx, &format!("/admin/categories/{}/move?dir=up", c.id), ctx.t.move_up, "outline secondary"))
                            (action_button(ctx, &format!("/admin/categories/{}/move?dir=down", c.id), ctx.t.move_down, "outline secondary"))
                        }
                    }
                    @if !node.children.is_empty() { (category_rows(ctx, &node.children, services)) }
                }
            }
        }
    }
}

pub fn categories(
    ctx: &PageCtx,
    all: &[Category],
    services: &[Service],
    notice: Option<&str>,
) -> Markup {
    let t = ctx.t;
    let nodes = tree(all);
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (t.nav_categories) }
            a role="button" href="/admin/categories/new" { (t.new_category) }
        }
        (flash(notice))
        @if nodes.len() > ADVISED_TOP_LEVEL {
            p.notice.warning role="status" { (t.too_many_top_level(nodes.len())) }
        }
        @if nodes.is_empty() { p { (t.no_categories) } } @else { (category_rows(ctx, &nodes, services)) }
    };
    page(ctx, t.nav_categories, body)
}

/// `(id, "— — name")` for every category in tree order, to choose a parent or a category.
pub fn category_choices(all: &[Category]) -> Vec<(String, String)> {
    fn walk(nodes: &[TreeNode<'_>], depth: usize, out: &mut Vec<(String, String)>) {
        for node in nodes {
            let prefix = "— ".repeat(depth);
            out.push((
                node.category.id.to_string(),
                format!("{prefix}{}", node.category.name),
            ));
            walk(&node.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&tree(all), 0, &mut out);
    out
}

#[derive(Debug, Clone, Default)]
pub struct CategoryFormValues {
    pub name: String,
    pub description: String,
    pub parent_id: String,
    pub icon: String,
    pub order: String,
}

impl CategoryFormValues {
    pub fn of(c: &Category) -> Self {
        CategoryFormValues {
            name: c.name.clone(),
            description: c.description.clone(),
            parent_id: c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            icon: c.icon.clone(),
            order: c.order.to_string(),
        }
    }
}

pub fn category_form(
    ctx: &PageCtx,
    id: Option<crate::domain::CategoryId>,
    values: &CategoryFormValues,
    errors: &FieldErrors,
    all: &[Category],
) -> Markup {
    let t = ctx.t;
    let title = if id.is_some() {
        t.edit_category
    } else {
        t.new_category
    };
    let action = id.map_or_else(
        || "/admin/categories".to_owned(),
        |id| format!("/admin/categories/{id}"),
    );
    let mut parents = vec![(String::new(), t.top_level.to_owned())];
    parents.extend(
        category_choices(all)
            .into_iter()
            .filter(|(value, _)| Some(value.as_str()) != id.map(|i| i.to_string()).as_deref()),
    );
    let chosen_icon = if values.icon.is_empty() {
        crate::domain::catalog::DEFAULT_ICON
    } else {
        values.icon.as_str()
    };
    let body = html! {
        (admin_tabs(ctx))
        h1 { (title) }
        (error_summary(ctx, errors))
        form method="post" action=(action) {
            (csrf(ctx))
            (Input::text("name", t.name, &values.name).required().render(ctx, errors))
            (textarea(ctx, errors, "description", t.description, &values.description, None))
            div.grid {
                (select(ctx, errors, "parent_id", t.parent, &parents, &values.parent_id))
                (Input::text("order", t.order, &values.order).kind("number").render(ctx, errors))
            }
            fieldset.icon-picker {
                legend { (t.icon) }
                @if let Some(message) = errors.get("icon") {
                    small.field-error { (super::i18n::field_message(ctx.locale, message)) }
                }
                @for name in ICONS {
                    label title=(name) {
                        input type="radio" name="icon" value=(name) checked[*name == chosen_icon];
                        (icon(name))
                        span.visually-hidden { (name) }
                    }
                }
            }
            div.actions {
                button type="submit" { (if id.is_some() { t.save } else { t.create }) }
                a.secondary role="button" href="/admin/categories" { (t.cancel) }
            }
        }
        @if let Some(id) = id {
            div.actions.danger-zone {
                a href={ "/catalog/" (id) } { (t.view_in_portal) }
                (action_button(ctx, &format!("/admin/categories/{id}/delete"), t.delete, "secondary outline"))
            }
        }
    };
    page(ctx, title, body)
}
