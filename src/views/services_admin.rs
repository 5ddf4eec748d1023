//! Administration of services and of each service's request form.

use super::PageCtx;
use super::admin::admin_tabs;
use super::catalog_admin::{action_button, category_choices, textarea};
use super::forms::{Input, checkbox, csrf, error_summary, select};
use super::layout::{flash, page};
use crate::domain::form::FieldKind;
use crate::domain::sla::SlaPolicy;
use crate::domain::{Category, FieldErrors, Service, ServiceId, Team, User};
use maud::{Markup, html};

pub fn services(ctx: &PageCtx, all: &[Category], services: &[Service]) -> Markup {
    let t = ctx.t;
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (t.nav_services) }
            a role="button" href="/admin/services/new" { (t.new_service) }
        }
        @for (id, label) in category_choices(all) {
            @let mut in_category: Vec<&Service> = services.iter().filter(|s| s.category_id.to_string() == id).collect();
            @if !in_category.is_empty() {
                h2.category-heading { (label.trim_start_matches("— ")) }
                ul.admin-services {
                    @for service in { in_category.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.name.cmp(&b.name))); in_category } {
                        li.tree-row {
                            a href={ "/admin/services/" (service.id) } { (service.name) }
                            @if !service.active { " " span.badge.off { (t.inactive) } }
                            small.muted { " · " (service.form.len()) " " (t.form_fields.to_lowercase()) }
                            span.row-actions {
                                (action_button(ctx, &format!("/admin/services/{}/move?dir=up", service.id), t.move_up, "outline secondary"))
                                (action_button(ctx, &format!("/admin/services/{}/move?dir=down", service.id), t.move_down, "outline secondary"))
                            }
                        }
                    }
                }
            }
        }
    };
    page(ctx, t.nav_services, body)
}

#[derive(Debug, Clone, Default)]
pub struct ServiceFormValues {
    pub name: String,
    pub description: String,
    pub keywords: String,
    pub category_id: String,
    pub team_id: String,
    pub active: bool,
    pub requires_approval: bool,
    pub steps: [String; 3],
    pub delay_value: String,
    pub delay_unit: String,
    pub sla_policy_id: String,
    pub order: String,
    pub show_usual_time: bool,
    pub on_behalf: bool,
}

impl ServiceFormValues {
    pub fn of(s: &Service) -> Self {
        let step = |i: usize| {
            s.approval_steps
                .get(i)
                .map(|r| r.code())
                .unwrap_or_default()
        };
        ServiceFormValues {
            name: s.name.clone(),
            description: s.description.clone(),
            keywords: s.keywords.clone(),
            category_id: s.category_id.to_string(),
            team_id: s.team_id.map(|t| t.to_string()).unwrap_or_default(),
            active: s.active,
            requires_approval: s.requires_approval,
            steps: [step(0), step(1), step(2)],
            delay_value: s
                .estimated_delay
                .map(|d| d.value.to_string())
                .unwrap_or_default(),
            delay_unit: s
                .estimated_delay
                .map_or("days", |d| d.unit.code())
                .to_owned(),
            sla_policy_id: s.sla_policy_id.map(|p| p.to_string()).unwrap_or_default(),
            order: s.order.to_string(),
            show_usual_time: s.show_usual_time,
            on_behalf: s.on_behalf,
        }
    }
}

pub struct ServiceForm<'a> {
    pub service: Option<&'a Service>,
    pub values: &'a ServiceFormValues,
    pub errors: &'a FieldErrors,
    pub categories: &'a [Category],
    pub teams: &'a [Team],
    pub users: &'a [User],
    pub policies: &'a [SlaPolicy],
    pub notice: Option<&'a str>,
}

fn fields_table(ctx: &PageCtx, service: &Service) -> Markup {
    let t = ctx.t;
    let base = format!("/admin/services/{}/fields", service.id);
    html! {
        article {
            header.title-row {
                h2 { (t.form_fields) }
                a role="button" class="small" href={ (base) "/new" } { (t.add_field) }
            }
            @if service.form.is_empty() {
                p.muted { (t.no_form_fields) }
            } @else {
                div.overflow-auto {
                    table.striped {
                        thead { tr { th { (t.field_label) } th { (t.field_key) } th { (t.field_kind) } th { (t.required) } th {} } }
                        tbody {
                            @for (at, field) in service.form.iter().enumerate() {
                                tr {
                                    td { a href={ (base) "/" (field.key) } { (field.label) } }
                                    td { code { (field.key) } }
                                    td { (t.kind(field.kind)) }
                                    td { @if field.required { "✓" } }
                                    td.row-actions {
                                        // One step to any place: a position list, not one click per step.
                                        form.inline.move-field method="post" action={ (base) "/" (field.key) "/move" } {
                                            (csrf(ctx))
                                            label.visually-hidden for={ "pos-" (field.key) } { (t.position_of) " " (field.label) }
                                            select #{ "pos-" (field.key) } name="to" {
                                                @for place in 1..=service.form.len() {
                                                    option value=(place) selected[place == at + 1] { (place) }
                                                }
                                            }
                                            button.small.outline.secondary type="submit" { (t.move_to) }
                                        }
                                        (action_button(ctx, &format!("{base}/{}/delete", field.key), t.delete, "outline secondary"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn service_form(ctx: &PageCtx, form: &ServiceForm<'_>) -> Markup {
    let t = ctx.t;
    let v = form.values;
    let id: Option<ServiceId> = form.service.map(|s| s.id);
    let title = if id.is_some() {
        t.edit_service
    } else {
        t.new_service
    };
    let action = id.map_or_else(
        || "/admin/services".to_owned(),
        |id| format!("/admin/services/{id}"),
    );
    let mut teams = vec![(String::new(), t.none.to_owned())];
    teams.extend(
        form.teams
            .iter()
            .map(|team| (team.id.to_string(), team.name.clone())),
    );
    let mut rules = vec![
        (String::new(), t.none.to_owned()),
        ("manager".to_owned(), t.rule_manager_admin.to_owned()),
        ("team_lead".to_owned(), t.rule_team_lead_admin.to_owned()),
    ];
    rules.extend(
        form.users
            .iter()
            .filter(|u| u.active)
            .map(|u| (format!("user:{}", u.id), u.display_name.clone())),
    );
    let units = vec![
        ("hours".to_owned(), t.hours.to_owned()),
        ("days".to_owned(), t.days.to_owned()),
    ];
    let mut policies = vec![(String::new(), t.sla.no_policy.to_owned())];
    policies.extend(
        form.policies
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone())),
    );
    let body = html! {
        (admin_tabs(ctx))
        div.title-row {
            h1 { (title) }
            @if let Some(service) = form.service {
                span.actions {
                    a href={ "/services/" (service.id) } { (t.view_in_portal) }
                    (action_button(ctx, &format!("/admin/services/{}/active?to={}", service.id, !service.active),
                        if service.active { t.deactivate } else { t.activate }, "secondary"))
                }
            }
        }
        (flash(form.notice))
        (error_summary(ctx, form.errors))
        form method="post" action=(action) {
            (csrf(ctx))
            (Input::text("name", t.name, &v.name).required().render(ctx, form.errors))
            (textarea(ctx, form.errors, "description", t.description, &v.description, None))
            (Input::text("keywords", t.keywords, &v.keywords).help(t.keywords_help).render(ctx, form.errors))
            div.grid {
                (select(ctx, form.errors, "category_id", t.category, &category_choices(form.categories), &v.category_id))
                (select(ctx, form.errors, "team_id", t.team, &teams, &v.team_id))
            }
            div.grid {
                (Input::text("delay_value", t.delay_value, &v.delay_value).kind("number").render(ctx, form.errors))
                (select(ctx, form.errors, "delay_unit", t.delay_unit, &units, &v.delay_unit))
                (Input::text("order", t.order, &v.order).kind("number").render(ctx, form.errors))
            }
            fieldset {
                legend { (t.approval_steps) }
                (checkbox(ctx, form.errors, "requires_approval", t.requires_approval, v.requires_approval))
                @if let Some(message) = form.errors.get("approval_steps") {
                    small.field-error { (super::i18n::field_message(ctx.locale, message)) }
                }
                div.grid {
                    @for (i, step) in v.steps.iter().enumerate() {
                        (select(ctx, form.errors, &format!("step{}", i + 1), &format!("{} {}", t.step, i + 1), &rules, step))
                    }
                }
            }
            (select(ctx, form.errors, "sla_policy_id", t.sla.policy, &policies, &v.sla_policy_id))
            (checkbox(ctx, form.errors, "show_usual_time", t.metrics.show_usual_time, v.show_usual_time))
            (checkbox(ctx, form.errors, "on_behalf", t.life.on_behalf, v.on_behalf))
            (checkbox(ctx, form.errors, "active", t.active, v.active))
            div.actions {
                button type="submit" { (if id.is_some() { t.save } else { t.create }) }
                a.secondary role="button" href="/admin/services" { (t.cancel) }
            }
        }
        @if let Some(service) = form.service { (fields_table(ctx, service)) }
    };
    page(ctx, title, body)
}

#[derive(Debug, Clone, Default)]
pub struct FieldFormValues {
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: String,
    pub required: bool,
    pub options: String,
    pub max_length: String,
    pub min: String,
    pub max: String,
    pub not_in_past: bool,
    pub max_size_mb: String,
    pub allowed_types: String,
}

impl FieldFormValues {
    pub fn of(f: &crate::domain::form::FormField) -> Self {
        let show = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        FieldFormValues {
            key: f.key.clone(),
            label: f.label.clone(),
            help: f.help.clone(),
            kind: f.kind.code().to_owned(),
            required: f.required,
            options: f.options.join("\n"),
            max_length: f
                .limits
                .max_length
                .map(|v| v.to_string())
                .unwrap_or_default(),
            min: show(f.limits.min),
            max: show(f.limits.max),
            not_in_past: f.limits.not_in_past,
            max_size_mb: f
                .limits
                .max_size_mb
                .map(|v| v.to_string())
                .unwrap_or_default(),
            allowed_types: f.limits.allowed_types.join(", "),
        }
    }
}

pub fn field_form(
    ctx: &PageCtx,
    service: &Service,
    key: Option<&str>,
    v: &FieldFormValues,
    errors: &FieldErrors,
) -> Markup {
    let t = ctx.t;
    let title = if key.is_some() {
        t.edit_field
    } else {
        t.add_field
    };
    let base = format!("/admin/services/{}/fields", service.id);
    let action = key.map_or_else(|| base.clone(), |k| format!("{base}/{k}"));
    let only = |kinds: &[FieldKind]| -> String {
        let names: Vec<&str> = kinds.iter().map(|k| t.kind(*k)).collect();
        format!("{} {}", t.applies_to, names.join(", "))
    };
    let for_choices = only(&[FieldKind::Select, FieldKind::Multiselect]);
    let for_text = only(&[FieldKind::Text, FieldKind::Textarea]);
    let for_number = only(&[FieldKind::Number]);
    let for_file = only(&[FieldKind::File]);
    let kinds: Vec<(String, String)> = FieldKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), t.kind(*k).to_owned()))
        .collect();
    let body = html! {
        (admin_tabs(ctx))
        p { a href={ "/admin/services/" (service.id) } { "← " (service.name) } }
        h1 { (title) }
        (error_summary(ctx, errors))
        form method="post" action=(action) {
            (csrf(ctx))
            div.grid {
                (Input::text("label", t.field_label, &v.label).required().render(ctx, errors))
                (Input::text("key", t.field_key, &v.key).help(t.field_key_help).render(ctx, errors))
            }
            div.grid {
                (select(ctx, errors, "kind", t.field_kind, &kinds, &v.kind))
                div { (checkbox(ctx, errors, "required", t.required, v.required)) }
            }
            (Input::text("help", t.field_help, &v.help).render(ctx, errors))
            (textarea(ctx, errors, "options", t.options, &v.options, Some(&for_choices)))
            fieldset {
                legend { (t.limits) }
                div.grid {
                    (Input::text("max_length", t.max_length, &v.max_length).kind("number").help(&for_text).render(ctx, errors))
                    (Input::text("min", t.min, &v.min).help(&for_number).render(ctx, errors))
                    (Input::text("max", t.max, &v.max).help(&for_number).render(ctx, errors))
                }
                div.grid {
                    (Input::text("max_size_mb", t.max_size_mb, &v.max_size_mb).kind("number").help(&for_file).render(ctx, errors))
                    (Input::text("allowed_types", t.allowed_types, &v.allowed_types).help(&for_file).render(ctx, errors))
                }
                (checkbox(ctx, errors, "not_in_past", t.not_in_past, v.not_in_past))
            }
            div.actions {
                button type="submit" { (if key.is_some() { t.save } else { t.create }) }
                a.secondary role="button" href={ "/admin/services/" (service.id) } { (t.cancel) }
            }
        }
    };
    page(ctx, title, body)
}
