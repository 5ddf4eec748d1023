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
pub mod text;

pub use layout::{AssetUrls, PageCtx, Viewer};
pub use text::Text;

use crate::domain::{Locale, Timestamp};

/// A timestamp as a reader expects it in their language, in the server's time zone `tz`.
pub fn format_time(at: Timestamp, locale: Locale, tz: &jiff::tz::TimeZone) -> String {
    let Ok(ts) = jiff::Timestamp::from_second(at.0) else {
        return String::new();
    };
    // Written field by field: listings show many times, and a strftime pattern is parsed anew
    // at each call.
    let t = tz.to_datetime(ts);
    let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
    match locale {
        Locale::Fr => format!("{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}"),
        Locale::En => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}"),
    }
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

    #[test]
    fn times_read_in_the_zone_and_the_locale() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("zone");
        // 2026-03-29 00:30 UTC is 01:30 in Paris (winter time), 02:30 UTC is 04:30 (summer).
        let winter = Timestamp(1_774_744_200);
        let summer = Timestamp(1_774_751_400);
        assert_eq!(format_time(winter, Locale::Fr, &paris), "29/03/2026 01:30");
        assert_eq!(format_time(summer, Locale::Fr, &paris), "29/03/2026 04:30");
        assert_eq!(format_time(summer, Locale::En, &paris), "2026-03-29 04:30");
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            format_time(Timestamp(0), Locale::En, &utc),
            "1970-01-01 00:00"
        );
        assert_eq!(format_time(Timestamp(i64::MAX), Locale::En, &utc), "");
    }
}
