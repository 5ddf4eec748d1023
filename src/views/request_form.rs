//! A service's request form rendered from its fields: labels, help, required marks, limits as
//! browser hints (the server validates anyway), submitted values and errors kept.

use super::PageCtx;
use super::i18n::field_message;
use crate::domain::FieldErrors;
use crate::domain::form::{FieldKind, FormField};
use maud::{Markup, html};
use std::collections::BTreeMap;

/// Values to show again after a refused submission, by field key.
pub type Values = BTreeMap<String, Vec<String>>;

pub fn fields(
    ctx: &PageCtx,
    form: &[FormField],
    values: &Values,
    errors: &FieldErrors,
    today: &str,
) -> Markup {
    // After a refused submission the first field to fix takes the focus (and the screen).
    let first_error = form.iter().find(|f| errors.get(&f.key).is_some());
    html! {
        @for field in form {
            @let focus = first_error.is_some_and(|f| f.key == field.key);
            (one(ctx, field, values.get(&field.key).map_or(&[][..], Vec::as_slice), errors.get(&field.key), today, focus))
        }
    }
}

/// The errors of a refused submission, each a link to its field, in the form's order.
pub fn error_list(ctx: &PageCtx, form: &[FormField], errors: &FieldErrors) -> Markup {
    html! {
        ul {
            @for field in form {
                @if let Some(message) = errors.get(&field.key) {
                    li { a href={ "#f-" (field.key) } { (field.label) } (ctx.t.colon) (field_message(ctx.locale, message)) }
                }
            }
        }
    }
}

fn one(
    ctx: &PageCtx,
    field: &FormField,
    values: &[String],
    error: Option<&str>,
    today: &str,
    focus: bool,
) -> Markup {
    let t = ctx.t;
    let id = format!("f-{}", field.key);
    let first = values.first().map_or("", String::as_str);
    let invalid = error.is_some().then_some("true");
    let described = error.map(|_| format!("{id}-error"));
    let label = html! {
        (field.label)
        @if field.required { " " abbr.required title=(t.required_mark) { "*" } }
    };
    let error_line = html! {
        @if let Some(message) = error {
            small.field-error id={ (id) "-error" } { (field_message(ctx.locale, message)) }
        }
    };
    let help = html! { @if !field.help.is_empty() { small { (field.help) } } };
    let limits = &field.limits;
    match field.kind {
        FieldKind::Checkbox => html! {
            fieldset {
                label {
                    input #(id) type="checkbox" name=(field.key) value="on" checked[!values.is_empty()]
                        autofocus[focus] aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                    (label)
                }
                (error_line) (help)
            }
        },
        FieldKind::Multiselect => html! {
            fieldset #(id) aria-invalid=[invalid] aria-describedby=[described.as_deref()] {
                legend { (label) }
                @for (i, option) in field.options.iter().enumerate() {
                    label {
                        input type="checkbox" name=(field.key) value=(option) checked[values.contains(option)]
                            autofocus[focus && i == 0];
                        (option)
                    }
                }
                (error_line) (help)
            }
        },
        FieldKind::Select => html! {
            label for=(id) { (label) }
            select #(id) name=(field.key) required[field.required] autofocus[focus] aria-invalid=[invalid] aria-describedby=[described.as_deref()] {
                option value="" { (t.choose) }
                @for option in &field.options {
                    option value=(option) selected[first == option] { (option) }
                }
            }
            (error_line) (help)
        },
        FieldKind::Textarea => html! {
            label for=(id) { (label) }
            textarea #(id) name=(field.key) rows="4" required[field.required] autofocus[focus]
                maxlength=[limits.max_length] aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (first) }
            (error_line) (help)
        },
        FieldKind::File => {
            let accept = (!limits.allowed_types.is_empty()).then(|| {
                limits
                    .allowed_types
                    .iter()
                    .map(|t| format!(".{t}"))
                    .collect::<Vec<_>>()
                    .join(",")
            });
            html! {
                label for=(id) { (label) }
                input #(id) type="file" name=(field.key) required[field.required] accept=[accept] autofocus[focus]
                    aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                small.muted { (t.file_limits_for(&limits.allowed_types, limits.max_size_mb)) }
                (error_line)
                @if !first.is_empty() {
                    small.field-error { (first) " — " (t.file_again) }
                }
                (help)
            }
        }
        FieldKind::Text | FieldKind::Number | FieldKind::Date => {
            let kind = match field.kind {
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                _ => "text",
            };
            let min_date = (field.kind == FieldKind::Date && limits.not_in_past).then_some(today);
            html! {
                label for=(id) { (label) }
                input #(id) type=(kind) name=(field.key) value=(first) required[field.required] autofocus[focus]
                    maxlength=[limits.max_length] min=[limits.min.map(|m| m.to_string()).or(min_date.map(str::to_owned))]
                    max=[limits.max.map(|m| m.to_string())] step=[(field.kind == FieldKind::Number).then_some("any")]
                    aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                (error_line) (help)
            }
        }
    }
}
