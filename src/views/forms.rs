//! Form building blocks: labelled inputs with their error next to them (Pico's conventions).

use super::PageCtx;
use super::i18n::field_message;
use crate::domain::FieldErrors;
use maud::{Markup, html};

pub fn csrf(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name="_csrf" value=(ctx.csrf); }
}

/// The banner above a form that came back with errors.
pub fn error_summary(ctx: &PageCtx, errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            p.form-error role="alert" { (ctx.t.form_has_errors) }
        }
    }
}

fn field_error(ctx: &PageCtx, errors: &FieldErrors, name: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(name) {
            small.field-error id={ (name) "-error" } { (field_message(ctx.locale, message)) }
        }
    }
}

pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub kind: &'a str,
    pub required: bool,
    pub help: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input {
            name,
            label,
            value,
            kind: "text",
            required: false,
            help: None,
            autocomplete: None,
        }
    }

    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn help(mut self, help: &'a str) -> Self {
        self.help = Some(help);
        self
    }

    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    pub fn render(&self, ctx: &PageCtx, errors: &FieldErrors) -> Markup {
        let invalid = errors.get(self.name).is_some();
        html! {
            label {
                (self.label)
                @if self.required { " " abbr.required title="*" { "*" } }
                input type=(self.kind) name=(self.name) value=(self.value)
                    required[self.required]
                    autocomplete=[self.autocomplete]
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then(|| format!("{}-error", self.name))];
                (field_error(ctx, errors, self.name))
                @if let Some(help) = self.help { small { (help) } }
            }
        }
    }
}

/// A select with `(value, label)` options; `selected` marks the current value.
pub fn select(
    ctx: &PageCtx,
    errors: &FieldErrors,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
) -> Markup {
    let invalid = errors.get(name).is_some();
    html! {
        label {
            (label)
            select name=(name) aria-invalid=[invalid.then_some("true")] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
            (field_error(ctx, errors, name))
        }
    }
}

pub fn checkbox(
    ctx: &PageCtx,
    errors: &FieldErrors,
    name: &str,
    label: &str,
    checked: bool,
) -> Markup {
    html! {
        label {
            input type="checkbox" name=(name) value="on" checked[checked];
            (label)
        }
        (field_error(ctx, errors, name))
    }
}
