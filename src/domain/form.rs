//! Request forms: the fields a service asks for, the rules a form definition must follow, and
//! the one validation of submitted values against a form (used by the portal and the API).

use super::FieldErrors;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    Text,
    Textarea,
    Number,
    Select,
    Multiselect,
    Checkbox,
    Date,
    File,
}

impl FieldKind {
    pub const ALL: [FieldKind; 8] = [
        FieldKind::Text,
        FieldKind::Textarea,
        FieldKind::Number,
        FieldKind::Select,
        FieldKind::Multiselect,
        FieldKind::Checkbox,
        FieldKind::Date,
        FieldKind::File,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Number => "number",
            FieldKind::Select => "select",
            FieldKind::Multiselect => "multiselect",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Date => "date",
            FieldKind::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Select | FieldKind::Multiselect)
    }

    /// The longest text accepted when the form sets no limit.
    fn default_max_length(self) -> u32 {
        match self {
            FieldKind::Textarea => 5000,
            _ => 200,
        }
    }
}

/// Limits; each applies only to the kinds it names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// text, textarea: most characters.
    pub max_length: Option<u32>,
    /// number: smallest and largest value.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// date: refuse days before the day of submission.
    pub not_in_past: bool,
    /// file: largest size in MiB (the server's upload limit applies anyway).
    pub max_size_mb: Option<u32>,
    /// file: accepted extensions, lowercase without the dot; empty accepts any.
    pub allowed_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub help: String,
    pub kind: FieldKind,
    pub required: bool,
    pub options: Vec<String>,
    pub limits: Limits,
}

/// Checks a key: a slug of 1–40 characters `a-z`, `0-9`, `_`, starting with a letter.
pub fn check_key(key: &str) -> Result<(), &'static str> {
    let valid = (1..=40).contains(&key.len())
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err("must be 1 to 40 characters a-z, 0-9 or _, starting with a letter")
    }
}

/// The key a field gets when none is typed: its label in lower-case ASCII with `_` between
/// words ("Numéro d'inventaire" → `numero_d_inventaire`), made unique among `others`.
pub fn key_from_label(label: &str, others: &[FormField]) -> String {
    let mut slug = String::new();
    for c in label.to_lowercase().chars() {
        let folded = match c {
            'à' | 'â' | 'ä' | 'á' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' => "i",
            'ô' | 'ö' | 'ó' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ç' => "c",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                slug.push(c);
                continue;
            }
            _ => "_",
        };
        if folded != "_" || !slug.is_empty() && !slug.ends_with('_') {
            slug.push_str(folded);
        }
    }
    let mut base: String = slug.trim_end_matches('_').chars().take(36).collect();
    base = base.trim_end_matches('_').to_owned();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base = format!("f_{base}").trim_end_matches('_').to_owned();
    }
    let taken = |key: &str| others.iter().any(|f| f.key == key);
    let mut key = base.clone();
    let mut n = 2;
    while taken(&key) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

impl FormField {
    /// Checks one field definition; `others` are the form's other fields (for key uniqueness).
    /// A field without a key gets one from its label.
    pub fn check(mut self, others: &[FormField]) -> Result<FormField, FieldErrors> {
        let mut errors = FieldErrors::new();
        self.key = self.key.trim().to_owned();
        self.label = self.label.trim().to_owned();
        if self.key.is_empty() && !self.label.is_empty() {
            self.key = key_from_label(&self.label, others);
        }
        self.help = self.help.trim().to_owned();
        if let Err(message) = check_key(&self.key) {
            errors.add("key", message);
        } else if others.iter().any(|f| f.key == self.key) {
            errors.add("key", "is already used in this form");
        }
        if self.label.is_empty() {
            errors.add("label", "is required");
        } else if self.label.chars().count() > 120 {
            errors.add("label", "must be at most 120 characters long");
        }
        if self.help.chars().count() > 500 {
            errors.add("help", "must be at most 500 characters long");
        }
        let mut options: Vec<String> = Vec::new();
        for option in &self.options {
            let option = option.trim();
            if !option.is_empty() && !options.iter().any(|o| o == option) {
                options.push(option.to_owned());
            }
        }
        self.options = options;
        if self.kind.has_options() {
            if self.options.is_empty() {
                errors.add("options", "a choice field needs at least one option");
            }
        } else {
            self.options.clear();
        }
        let limits = &mut self.limits;
        if !matches!(self.kind, FieldKind::Text | FieldKind::Textarea) {
            limits.max_length = None;
        } else if limits.max_length == Some(0) {
            errors.add("max_length", "must be at least 1");
        }
        if self.kind == FieldKind::Number {
            if let (Some(min), Some(max)) = (limits.min, limits.max)
                && min > max
            {
                errors.add("min", "must not be above the maximum");
            }
            if limits.min.is_some_and(|v| !v.is_finite())
                || limits.max.is_some_and(|v| !v.is_finite())
            {
                errors.add("min", "must be a number");
            }
        } else {
            limits.min = None;
            limits.max = None;
        }
        if self.kind != FieldKind::Date {
            limits.not_in_past = false;
        }
        if self.kind == FieldKind::File {
            limits.allowed_types = limits
                .allowed_types
                .iter()
                .map(|t| t.trim().trim_start_matches('.').to_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            limits.allowed_types.dedup();
            if limits.max_size_mb == Some(0) {
                errors.add("max_size_mb", "must be at least 1");
            }
        } else {
            limits.max_size_mb = None;
            limits.allowed_types.clear();
        }
        errors.into_result(self)
    }
}

/// What a user sent for one field: text values (one, or several for a multiselect), or the
/// description of an uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    Values(Vec<String>),
    File(FileMeta),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileMeta {
    pub name: String,
    pub size: u64,
}

/// A validated answer, typed by its field's kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(f64),
    Choices(Vec<String>),
    Flag(bool),
    File(FileMeta),
}

/// Validated `request_data`: one answer per answered field, keyed by field key.
pub type RequestData = BTreeMap<String, Answer>;

/// Validates `submitted` against `form`. `today` is `YYYY-MM-DD` (the caller's clock). Every
/// error names its field; unknown keys are refused.
pub fn validate(
    form: &[FormField],
    submitted: &BTreeMap<String, Submitted>,
    today: &str,
) -> Result<RequestData, FieldErrors> {
    let mut errors = FieldErrors::new();
    for key in submitted.keys() {
        if !form.iter().any(|f| &f.key == key) {
            errors.add(key, "is not a field of this form");
        }
    }
    let mut data = RequestData::new();
    for field in form {
        match answer(field, submitted.get(&field.key), today) {
            Ok(Some(value)) => {
                data.insert(field.key.clone(), value);
            }
            Ok(None) => {}
            Err(message) => errors.add(&field.key, message),
        }
    }
    errors.into_result(data)
}

fn answer(
    field: &FormField,
    sent: Option<&Submitted>,
    today: &str,
) -> Result<Option<Answer>, String> {
    let values: Vec<&str> = match sent {
        Some(Submitted::Values(values)) => values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect(),
        Some(Submitted::File(file)) if field.kind == FieldKind::File => {
            return check_file(field, file).map(|()| Some(Answer::File(file.clone())));
        }
        Some(Submitted::File(_)) => return Err("expects a value, not a file".into()),
        None => Vec::new(),
    };
    if field.kind == FieldKind::Checkbox {
        let on = values.iter().any(|v| {
            matches!(
                v.to_lowercase().as_str(),
                "on" | "true" | "1" | "yes" | "oui"
            )
        });
        if field.required && !on {
            return Err("must be checked".into());
        }
        return Ok(Some(Answer::Flag(on)));
    }
    if values.is_empty() {
        return if field.required {
            Err("is required".into())
        } else {
            Ok(None)
        };
    }
    if field.kind != FieldKind::Multiselect && values.len() > 1 {
        return Err("takes a single value".into());
    }
    let value = values[0];
    match field.kind {
        FieldKind::Text | FieldKind::Textarea => {
            let max = field
                .limits
                .max_length
                .unwrap_or(field.kind.default_max_length());
            let value = if field.kind == FieldKind::Text {
                value.replace(['\r', '\n'], " ")
            } else {
                value.to_owned()
            };
            if value.chars().count() > max as usize {
                return Err(format!("must be at most {max} characters long"));
            }
            Ok(Some(Answer::Text(value)))
        }
        FieldKind::Number => {
            let number: f64 = value
                .replace(',', ".")
                .parse()
                .map_err(|_| "must be a number".to_owned())?;
            if !number.is_finite() {
                return Err("must be a number".into());
            }
            if let Some(min) = field.limits.min.filter(|min| number < *min) {
                return Err(format!("must be at least {min}"));
            }
            if let Some(max) = field.limits.max.filter(|max| number > *max) {
                return Err(format!("must be at most {max}"));
            }
            Ok(Some(Answer::Number(number)))
        }
        FieldKind::Select => {
            if field.options.iter().any(|o| o == value) {
                Ok(Some(Answer::Text(value.to_owned())))
            } else {
                Err("is not one of the choices".into())
            }
        }
        FieldKind::Multiselect => {
            let mut chosen: Vec<String> = Vec::new();
            for value in values {
                if !field.options.iter().any(|o| o == value) {
                    return Err("is not one of the choices".into());
                }
                if !chosen.iter().any(|c| c == value) {
                    chosen.push(value.to_owned());
                }
            }
            Ok(Some(Answer::Choices(chosen)))
        }
        FieldKind::Date => {
            if !is_iso_date(value) {
                return Err("must be a date (YYYY-MM-DD)".into());
            }
            if field.limits.not_in_past && value < today {
                return Err("must not be in the past".into());
            }
            Ok(Some(Answer::Text(value.to_owned())))
        }
        FieldKind::File => Err("expects a file".into()),
        FieldKind::Checkbox => Ok(None),
    }
}

fn check_file(field: &FormField, file: &FileMeta) -> Result<(), String> {
    if let Some(max) = field.limits.max_size_mb
        && file.size > u64::from(max) * 1024 * 1024
    {
        return Err(format!("must be at most {max} MiB"));
    }
    if !field.limits.allowed_types.is_empty() {
        let extension = file
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        if !field.limits.allowed_types.contains(&extension) {
            return Err(format!(
                "must be one of: {}",
                field.limits.allowed_types.join(", ")
            ));
        }
    }
    Ok(())
}

/// A real calendar day written `YYYY-MM-DD` (leap years included). String comparison of two
/// such dates orders them in time.
pub fn is_iso_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number =
        |range: std::ops::Range<usize>| value.get(range).and_then(|s| s.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests;
