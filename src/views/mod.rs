//! HTML rendered with maud. Views take typed arguments, compute no permissions, and share
//! `layout::page`. Architecture invariant: only `views` and `web` name maud.

pub mod account;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod catalog_admin;
pub mod charts;
pub mod confirm;
pub mod errors;
pub mod forms;
pub mod i18n;
pub mod jobs;
pub mod layout;
pub mod mail;
pub mod mail_links;
pub mod metrics;
pub mod metrics_tables;
pub mod outbox;
pub mod password_reset;
pub mod portal;
pub mod request_form;
pub mod request_lists;
pub mod requests;
pub mod search;
pub mod services_admin;
pub mod sla;
pub mod sla_admin;

pub use layout::{AssetUrls, PageCtx, Viewer};

use crate::domain::{Locale, Timestamp};

/// A timestamp as a reader expects it in their language, in the server's time zone `tz`.
pub fn format_time(at: Timestamp, locale: Locale, tz: &jiff::tz::TimeZone) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(at.0) else {
        return String::new();
    };
    let zoned = ts.to_zoned_datetime(tz.clone());
    let pattern = match locale {
        Locale::Fr => "%d/%m/%Y %H:%M",
        Locale::En => "%Y-%m-%d %H:%M",
    };
    zoned.strftime(pattern).to_string()
}

/// A date answer (`YYYY-MM-DD`, as forms store it) in the reader's format, like `format_time`'s
/// dates; anything else is shown as it is.
pub fn format_date(iso: &str, locale: Locale) -> String {
    match (locale, iso.parse::<jiff::civil::Date>()) {
        (Locale::Fr, Ok(date)) => date.strftime("%d/%m/%Y").to_string(),
        _ => iso.to_owned(),
    }
}

/// Text typed by someone, its line breaks kept.
pub fn lines(text: &str) -> maud::Markup {
    maud::html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_answers_read_like_every_other_date() {
        assert_eq!(format_date("2026-12-01", Locale::Fr), "01/12/2026");
        assert_eq!(format_date("2026-12-01", Locale::En), "2026-12-01");
        assert_eq!(
            format_date("bientôt", Locale::Fr),
            "bientôt",
            "not a date: as typed"
        );
    }
}
